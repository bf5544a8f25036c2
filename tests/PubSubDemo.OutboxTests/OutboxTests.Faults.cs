using Microsoft.EntityFrameworkCore;
using PubSubDemo.OutboxTests.Support;

namespace PubSubDemo.OutboxTests;

/// <summary>Relays that fail: a send that throws mid-batch, a relay that hangs and then dies.</summary>
public abstract partial class OutboxTests
{
    [Fact]
    public async Task A_transport_that_fails_mid_batch_is_sent_again_and_nothing_is_lost()
    {
        var queue = TestNames.Unique("orders");
        var transport = new FailingOnceTransport(new RedisOutboxTransport(servers.Redis.Client));
        await using var host = await RelayHost.StartAsync(_database, transport);
        var ids = await host.PlaceOrdersAsync(OutboxDestination.Queue(queue), 200, keys: 5);

        await Wait.UntilAsync(async () => await UnsentAsync() == 0, "every row is marked sent");
        var duplicates = Payloads.AssertAllArrivedInOrder(await ReadQueueAsync(queue), ids);
        output.WriteLine($"{transport.SentBeforeFailure.Count} rows were sent before the failure and {duplicates} arrived twice");
        Assert.NotEmpty(transport.SentBeforeFailure);
        Assert.Equal(transport.SentBeforeFailure.Count, duplicates);
        await using var check = _database.NewContext();
        var failedIds = transport.SentBeforeFailure.Select(r => r.Id).ToList();
        var failed = await check.Outbox.Where(r => failedIds.Contains(r.Id)).ToListAsync();
        Assert.All(failed, row => Assert.True(row.Attempts == 1 && row.LastError!.Contains("mid-batch", StringComparison.Ordinal), $"row {row.Id}: {row.Attempts} attempts, {row.LastError}"));
    }

    [Fact]
    public async Task A_relay_that_hangs_mid_batch_and_dies_leaves_nothing_unsent()
    {
        var queue = TestNames.Unique("orders");
        var hanging = new HangingTransport();
        var name = $"stuck-{Guid.NewGuid():N}";
        var stuck = await RelayHost.StartAsync(_database, hanging, name: name);
        try
        {
            const int keys = 20;
            // The first relay takes the first ten orders (ten keys) and hangs on them; then 190 more come.
            List<string> ids = [.. await stuck.PlaceOrdersAsync(OutboxDestination.Queue(queue), 10, keys)];
            await hanging.Entered.WaitAsync(Wait.Default);
            ids.AddRange(await stuck.PlaceOrdersAsync(OutboxDestination.Queue(queue), 190, keys, first: 10));
            // The second instance comes up while the first is stuck in its first batch.
            await using var rescuer = await RelayHost.StartAsync(_database, new RedisOutboxTransport(servers.Redis.Client));
            Assert.Equal(10, hanging.Held.Count);
            var heldKeys = hanging.Held.Select(r => r.PartitionKey).ToHashSet();
            if (kind == DatabaseKind.Sqlite)
            {
                // The lease: the stuck relay stops renewing it, the other takes over when it expires and sends everything.
                await Wait.UntilAsync(async () => await Redis.ListLengthAsync(queue) >= ids.Count, "the second relay sent every row after the lease expired");
            }
            else
            {
                // Row and key locks: the other relay sends every key the stuck one does not hold, and holds back the
                // rest (sending a held key's later rows would overtake the stuck batch).
                var free = ids.Where((_, i) => !heldKeys.Contains($"customer-{i % keys}")).Count();
                await Wait.UntilAsync(async () => await Redis.ListLengthAsync(queue) >= free, $"the second relay sent the {free} rows of keys not held");
                Assert.Equal(free, await Redis.ListLengthAsync(queue));
                output.WriteLine($"{hanging.Held.Count} rows of {heldKeys.Count} keys held by the stuck relay; {free} rows sent around it");
            }

            // Its death frees its rows. On PostgreSQL its connections are cut while it still hangs, as a kill -9 of the
            // app would: the server rolls its transaction back and drops its locks. (On SQLite the lease did it already.)
            if (kind == DatabaseKind.Postgres)
            {
                await using var admin = _database.NewContext();
                var cut = await admin.Database
                    .SqlQuery<bool>($"SELECT pg_terminate_backend(pid) AS \"Value\" FROM pg_stat_activity WHERE application_name = {name}")
                    .ToListAsync();
                Assert.Contains(true, cut);
            }

            await Wait.UntilAsync(async () => await UnsentAsync() == 0, "every row is marked sent");
            Assert.Equal(0, Payloads.AssertAllArrivedInOrder(await ReadQueueAsync(queue), ids));
        }
        finally
        {
            await stuck.DisposeAsync();
        }
    }
}
