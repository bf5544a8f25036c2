using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PubSubDemo.OutboxTests.Support;
using StackExchange.Redis;

namespace PubSubDemo.OutboxTests;

/// <summary>
/// Rows the transport always refuses (poison rows): the destination's key holds a string, so RPUSH answers WRONGTYPE.
/// They are tried again with backoff, then parked; the rows behind them move on; a server that is away parks nothing.
/// </summary>
public abstract partial class OutboxTests
{
    [Fact]
    public async Task A_row_the_server_always_refuses_is_parked_after_its_refusals_and_the_rows_behind_it_on_its_key_move_on()
    {
        var (good, poison) = (TestNames.Unique("orders"), TestNames.Unique("poison"));
        await Redis.StringSetAsync(poison, "not a list");
        await using var host = await RelayHost.StartAsync(_database, new RedisOutboxTransport(servers.Redis.Client), options =>
        {
            options.MaxRefusals = 3;
            options.RefusalRetryDelay = TimeSpan.FromMilliseconds(200);
        });
        long parkedCount = 0;
        using var listener = Listen(host.Services.GetRequiredService<IMeterFactory>(), (name, value) =>
        {
            if (name == "messaging.outbox.parked")
            {
                Interlocked.Add(ref parkedCount, (long)value);
            }
        });

        // Key a: a0 to the good queue, a1 to the poisoned key, a2..a5 behind it; key b: b0..b3, all good.
        var watch = Stopwatch.StartNew();
        await AddRowsAsync(host, [(good, "a", "a0", 0), (poison, "a", "a1", 1), (good, "a", "a2", 2), (good, "b", "b0", 0), (good, "a", "a3", 3), (good, "b", "b1", 1)]);
        await AddRowsAsync(host, [(good, "a", "a4", 4), (good, "b", "b2", 2), (good, "a", "a5", 5), (good, "b", "b3", 3)]);

        // Key b flows at once; key a stops at its refused row while that row is tried again (the row times below prove it).
        await Wait.UntilAsync(async () => (await ReadQueueAsync(good)).Where(m => m.Key == "b").DistinctBy(m => m.Id).Count() == 4, "key b's four rows arrive");
        await Wait.UntilAsync(async () => (await RowAsync("a1")).ParkedAt is not null, "a1 is parked");
        var parkedAfter = watch.Elapsed;
        await Wait.UntilAsync(async () => (await ReadQueueAsync(good)).Where(m => m.Key == "a").DistinctBy(m => m.Id).Count() == 5, "a2..a5 arrive once a1 is parked");
        var received = await ReadQueueAsync(good);
        output.WriteLine($"a1 parked {parkedAfter.TotalMilliseconds:F0} ms after it was saved (3 refusals, 200 ms doubling); key a went on after it");
        Assert.Equal(["a0", "a2", "a3", "a4", "a5"], received.Where(m => m.Key == "a").Select(m => m.Id).Distinct());
        Assert.Equal(["b0", "b1", "b2", "b3"], received.Where(m => m.Key == "b").Select(m => m.Id).Distinct());

        var parked = await RowAsync("a1");
        Assert.True(parked is { Refusals: 3, SentAt: null }, $"refusals {parked.Refusals}, sent {parked.SentAt}");
        // b0, saved with a1, went while a1 was refused; a2..a5 only once it was parked.
        Assert.True((await RowAsync("b0")).SentAt < parked.ParkedAt, "b0 was sent before a1 was parked");
        foreach (var behind in new[] { "a2", "a3", "a4", "a5" })
        {
            var row = await RowAsync(behind);
            Assert.True(row.SentAt >= parked.ParkedAt, $"{behind} sent at {row.SentAt:O}, before a1 was parked at {parked.ParkedAt:O}");
        }

        Assert.Contains("WRONGTYPE", parked.LastError, StringComparison.Ordinal);
        Assert.Equal(1, Interlocked.Read(ref parkedCount));

        // The operator sees it, mends the key and puts it back: it is sent with its id, after the rows that overtook it.
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var admin = scope.ServiceProvider.GetRequiredService<IOutboxAdmin>();
            Assert.Equal(["a1"], (await admin.GetParkedAsync()).Select(r => r.MessageId));
            await Redis.KeyDeleteAsync(poison);
            Assert.True(await admin.RequeueAsync(parked.Id));
            Assert.False(await admin.RequeueAsync(parked.Id));
        }

        await Wait.UntilAsync(async () => await Redis.ListLengthAsync(poison) == 1, "the row put back arrives in its queue");
        Assert.Equal("a1", (await ReadQueueAsync(poison))[0].Id);
        // The row is marked sent once the transport returned, a moment after the message is in the list.
        await Wait.UntilAsync(async () => await RowAsync("a1") is { SentAt: not null, ParkedAt: null }, "the row put back is marked sent and no longer parked");
    }

    [Fact]
    public async Task A_server_that_is_away_parks_nothing_however_long_it_is_away()
    {
        var queue = TestNames.Unique("orders");
        // A real connection to a port nothing listens on: every send fails with a connection error, never a refusal.
        await using var away = await ConnectionMultiplexer.ConnectAsync("127.0.0.1:1,abortConnect=false,connectTimeout=200,connectRetry=0,asyncTimeout=200,syncTimeout=200");
        var transport = new SwitchableTransport(new RedisOutboxTransport(away));
        await using var host = await RelayHost.StartAsync(_database, transport, options =>
        {
            options.MaxRefusals = 2;
            options.RefusalRetryDelay = TimeSpan.FromMilliseconds(20);
        });
        var ids = await host.PlaceOrdersAsync(OutboxDestination.Queue(queue), 20, keys: 2);

        await Wait.UntilAsync(async () =>
        {
            await using var context = _database.NewContext();
            return await context.Outbox.AllAsync(r => r.Attempts >= 5);
        }, "every row failed five times or more");
        await using (var context = _database.NewContext())
        {
            Assert.False(await context.Outbox.AnyAsync(r => r.ParkedAt != null || r.Refusals > 0 || r.SentAt != null));
        }

        transport.Inner = new RedisOutboxTransport(servers.Redis.Client);
        await Wait.UntilAsync(async () => await UnsentAsync() == 0, "every row is sent once the server is back");
        Assert.Equal(0, Payloads.AssertAllArrivedInOrder(await ReadQueueAsync(queue), ids));
    }

    [Fact]
    public async Task With_MaxRefusals_0_a_refused_row_holds_its_key_in_order_and_is_never_parked()
    {
        var (good, poison) = (TestNames.Unique("orders"), TestNames.Unique("poison"));
        await Redis.StringSetAsync(poison, "not a list");
        await using var host = await RelayHost.StartAsync(_database, new RedisOutboxTransport(servers.Redis.Client), options =>
        {
            options.MaxRefusals = 0;
            options.RefusalRetryDelay = TimeSpan.FromMilliseconds(20);
            options.MaxRetryDelay = TimeSpan.FromMilliseconds(50);
        });
        await AddRowsAsync(host, [(poison, "a", "a0", 0), (good, "a", "a1", 1), (good, "b", "b0", 0)]);

        await Wait.UntilAsync(async () => (await RowAsync("a0")).Refusals >= 6, "a0 is refused six times");
        Assert.Null((await RowAsync("a0")).ParkedAt);
        Assert.Null((await RowAsync("a1")).SentAt);
        Assert.Equal(["b0"], (await ReadQueueAsync(good)).Select(m => m.Id).Distinct());
    }

    /// <summary>Saves the rows in one transaction: (destination queue, key, message id, sequence within the key).</summary>
    private static async Task AddRowsAsync(RelayHost host, IEnumerable<(string Queue, string Key, string Id, int Sequence)> rows)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var outbox = scope.ServiceProvider.GetRequiredService<IOutbox>();
        foreach (var (queue, key, id, sequence) in rows)
        {
            outbox.Add(OutboxDestination.Queue(queue), id, key, Payloads.Create(id, key, sequence));
        }

        await scope.ServiceProvider.GetRequiredService<ShopContext>().SaveChangesAsync();
    }

    private async Task<OutboxMessage> RowAsync(string messageId)
    {
        await using var context = _database.NewContext();
        return await context.Outbox.AsNoTracking().SingleAsync(r => r.MessageId == messageId);
    }
}
