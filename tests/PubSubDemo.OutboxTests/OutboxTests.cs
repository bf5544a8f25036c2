using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PubSubDemo.OutboxTests.Support;
using StackExchange.Redis;
using Order = PubSubDemo.OutboxTests.Support.Order;
using Xunit.Abstractions;

namespace PubSubDemo.OutboxTests;

/// <summary>The outbox and its relay, run once on SQLite and once on PostgreSQL (the derived classes below).</summary>
public abstract partial class OutboxTests(OutboxServers servers, DatabaseKind kind, ITestOutputHelper output) : IAsyncLifetime
{
    private TestDatabase _database = null!;

    protected TestDatabase Database => _database;

    protected IDatabase Redis => servers.Redis.Database;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(kind, servers.Postgres, "outbox");
        output.WriteLine($"{kind} ({(kind == DatabaseKind.Postgres ? servers.Postgres.Description : "temp file, WAL")}); Redis: {servers.Redis.Description}");
    }

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task An_outbox_row_commits_with_the_business_write_and_not_without_it()
    {
        var destination = OutboxDestination.Queue(TestNames.Unique("orders"));
        await using (var context = _database.NewContext())
        {
            await using var transaction = await context.Database.BeginTransactionAsync();
            context.Orders.Add(new Order { Id = "rolled-back", Customer = "c" });
            new Outbox<ShopContext>(context, TimeProvider.System).Add(destination, "rolled-back", "c", Payloads.Create("rolled-back", "c", 0));
            await context.SaveChangesAsync();
            await transaction.RollbackAsync();
        }

        await using (var context = _database.NewContext())
        {
            context.Orders.Add(new Order { Id = "saved", Customer = "c" });
            new Outbox<ShopContext>(context, TimeProvider.System).Add(destination, "saved", "c", Payloads.Create("saved", "c", 0));
            await context.SaveChangesAsync();
        }

        // A business write that fails (the order exists already) takes its message down with it.
        await using (var context = _database.NewContext())
        {
            context.Orders.Add(new Order { Id = "saved", Customer = "c" });
            new Outbox<ShopContext>(context, TimeProvider.System).Add(destination, "failed", "c", Payloads.Create("failed", "c", 1));
            await Assert.ThrowsAsync<DbUpdateException>(() => context.SaveChangesAsync());
        }

        await using var check = _database.NewContext();
        Assert.Equal(["saved"], await check.Orders.Select(o => o.Id).ToListAsync());
        var row = Assert.Single(await check.Outbox.ToListAsync());
        Assert.Equal(("saved", OutboxDestinationKind.Queue, destination.Name, "c"), (row.MessageId, row.DestinationKind, row.DestinationName, row.PartitionKey));
        Assert.Null(row.SentAt);
    }

    [Fact]
    public async Task The_relay_sends_every_row_once_and_in_order_per_key()
    {
        var queue = TestNames.Unique("orders");
        await using var host = await RelayHost.StartAsync(_database, new RedisOutboxTransport(servers.Redis.Client));
        var watch = Stopwatch.StartNew();
        var ids = await host.PlaceOrdersAsync(OutboxDestination.Queue(queue), count: 400, keys: 7);

        await Wait.UntilAsync(async () => await Redis.ListLengthAsync(queue) >= ids.Count, $"400 messages are in {queue}");
        output.WriteLine($"400 orders saved and relayed in {watch.ElapsedMilliseconds} ms");
        Assert.Equal(0, Payloads.AssertAllArrivedInOrder(await ReadQueueAsync(queue), ids));
        await Wait.UntilAsync(async () => await UnsentAsync() == 0, "every row is marked sent");
    }

    [Fact]
    public async Task Rows_for_a_queue_a_stream_and_a_channel_reach_redis()
    {
        var (queue, stream, channel) = (TestNames.Unique("queue"), TestNames.Unique("stream"), TestNames.Unique("channel"));
        var heard = 0;
        var subscriber = servers.Redis.Client.GetSubscriber();
        await subscriber.SubscribeAsync(RedisChannel.Literal(channel), (_, _) => Interlocked.Increment(ref heard));
        try
        {
            await using var host = await RelayHost.StartAsync(_database, new RedisOutboxTransport(servers.Redis.Client));
            await host.PlaceOrdersAsync(OutboxDestination.Queue(queue), 5, keys: 2);
            var streamIds = await host.PlaceOrdersAsync(OutboxDestination.Stream(stream), 5, keys: 2);
            await host.PlaceOrdersAsync(OutboxDestination.Channel(channel), 5, keys: 2);

            await Wait.UntilAsync(async () => await Redis.ListLengthAsync(queue) == 5 && await Redis.StreamLengthAsync(stream) == 5 && Volatile.Read(ref heard) == 5,
                "5 messages each in the queue, the stream and on the channel");
            var entries = await Redis.StreamRangeAsync(stream);
            Assert.Equal(streamIds, entries.Select(e => (string)e["id"]!).ToList());
        }
        finally
        {
            await subscriber.UnsubscribeAsync(RedisChannel.Literal(channel));
        }
    }

    [Fact]
    public async Task A_commit_wakes_the_relay_long_before_its_poll()
    {
        var queue = TestNames.Unique("orders");
        await using var host = await RelayHost.StartAsync(_database, new RedisOutboxTransport(servers.Redis.Client),
            options => options.PollInterval = TimeSpan.FromMinutes(1));
        // Its first look finds nothing; from then on only the signal can wake it within the minute.
        var watch = Stopwatch.StartNew();
        await host.PlaceOrdersAsync(OutboxDestination.Queue(queue), 1, keys: 1);
        await Wait.UntilAsync(async () => await Redis.ListLengthAsync(queue) == 1, "the message saved by SaveChanges arrives", TimeSpan.FromSeconds(10));
        var implicitLatency = watch.ElapsedMilliseconds;

        // The app's own transaction: the rows become visible at its commit, which is what must wake the relay.
        watch.Restart();
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var context = scope.ServiceProvider.GetRequiredService<ShopContext>();
            await using var transaction = await context.Database.BeginTransactionAsync();
            context.Orders.Add(new Order { Id = "in-transaction", Customer = "c" });
            scope.ServiceProvider.GetRequiredService<IOutbox>().Add(OutboxDestination.Queue(queue), "in-transaction", "c", Payloads.Create("in-transaction", "c", 0));
            await context.SaveChangesAsync();
            await transaction.CommitAsync();
        }

        await Wait.UntilAsync(async () => await Redis.ListLengthAsync(queue) == 2, "the message committed in the app's transaction arrives", TimeSpan.FromSeconds(10));
        output.WriteLine($"save to Redis: {implicitLatency} ms (SaveChanges), {watch.ElapsedMilliseconds} ms (own transaction); poll interval 60 s");
    }

    [Fact]
    public async Task A_row_due_later_waits_for_its_time_without_holding_up_the_others()
    {
        var queue = TestNames.Unique("orders");
        await using var host = await RelayHost.StartAsync(_database, new RedisOutboxTransport(servers.Redis.Client));
        var due = DateTimeOffset.UtcNow.AddSeconds(1.5);
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var outbox = scope.ServiceProvider.GetRequiredService<IOutbox>();
            outbox.Add(OutboxDestination.Queue(queue), "later", "a", Payloads.Create("later", "a", 0), due);
            outbox.Add(OutboxDestination.Queue(queue), "now", "b", Payloads.Create("now", "b", 0));
            await scope.ServiceProvider.GetRequiredService<ShopContext>().SaveChangesAsync();
        }

        await Wait.UntilAsync(async () => await Redis.ListLengthAsync(queue) >= 1, "the row due now arrives");
        var first = await ReadQueueAsync(queue);
        await Wait.UntilAsync(async () => await Redis.ListLengthAsync(queue) == 2, "the delayed row arrives once due");

        Assert.Equal("now", first[0].Id);
        await using var check = _database.NewContext();
        var later = await check.Outbox.SingleAsync(r => r.MessageId == "later");
        Assert.True(later.SentAt >= later.DueAt, $"sent at {later.SentAt:O}, due at {later.DueAt:O}");
    }

    [Fact]
    public async Task Two_relays_on_one_database_send_each_row_once_and_in_order()
    {
        var queue = TestNames.Unique("orders");
        await using var first = await RelayHost.StartAsync(_database, new RedisOutboxTransport(servers.Redis.Client));
        await using var second = await RelayHost.StartAsync(_database, new RedisOutboxTransport(servers.Redis.Client));

        // Two app instances writing at once, each waking its own relay; the other relay finds the rows by polling.
        var written = await Task.WhenAll(
            first.PlaceOrdersAsync(OutboxDestination.Queue(queue), 300, keys: 6, perTransaction: 5, keyPrefix: "first"),
            second.PlaceOrdersAsync(OutboxDestination.Queue(queue), 300, keys: 6, perTransaction: 5, keyPrefix: "second"));
        var ids = written.SelectMany(x => x).ToList();

        await Wait.UntilAsync(async () => await UnsentAsync() == 0, "every row is marked sent", TimeSpan.FromSeconds(30));
        var received = await ReadQueueAsync(queue);
        output.WriteLine($"relay 1 sent {first.Relay.SentCount}, relay 2 sent {second.Relay.SentCount}; {received.Count} arrived for {ids.Count} rows");
        Assert.Equal(0, Payloads.AssertAllArrivedInOrder(received, ids));
        Assert.Equal(ids.Count, first.Relay.SentCount + second.Relay.SentCount);
    }

    private async Task<int> UnsentAsync()
    {
        await using var context = _database.NewContext();
        return await context.Outbox.CountAsync(r => r.SentAt == null);
    }

    private async Task<IReadOnlyList<Payloads.Received>> ReadQueueAsync(string queue) =>
        (await Redis.ListRangeAsync(queue)).Select(value => Payloads.Read((byte[])value!)).ToList();
}

[Collection(OutboxCollection.Name)]
public sealed class SqliteOutboxTests(OutboxServers servers, ITestOutputHelper output) : OutboxTests(servers, DatabaseKind.Sqlite, output);

[Collection(OutboxCollection.Name)]
public sealed class PostgresOutboxTests(OutboxServers servers, ITestOutputHelper output) : OutboxTests(servers, DatabaseKind.Postgres, output);
