using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PubSubDemo.Messaging;
using PubSubDemo.OutboxTests.Support;

namespace PubSubDemo.OutboxTests;

/// <summary>
/// The outbox and the inbox on the engine, end to end through the library's API: orders saved with their OrderPlaced in
/// one transaction, relayed by the engine's sender to a real queue, handled by a typed handler that reserves stock in
/// the delivery scope's DbContext through the inbox. On SQLite and on PostgreSQL.
/// </summary>
public abstract class EngineOutboxTests(OutboxServers servers, DatabaseKind kind) : IAsyncLifetime
{
    private TestDatabase _database = null!;

    public async Task InitializeAsync() => _database = await TestDatabase.CreateAsync(kind, servers.Postgres, "engine");

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task Every_saved_order_reserves_stock_once_a_rolled_back_one_sends_nothing_and_a_redelivery_applies_nothing()
    {
        const int orders = 60;
        var queue = TestNames.Unique("orders-placed");
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddDbContext<ShopContext>((provider, options) => _database.Configure(options.AddOutboxSignal(provider.GetRequiredService<IOutboxSignal>())));
        builder.Services.AddRedisMessaging(o => o.ConnectionString = servers.Redis.Address)
            .AddQueue<OrderPlaced, ReserveStock>(queue, EngineJson.Default.OrderPlaced, o => (o.Partitions, o.IdlePoll) = (2, TimeSpan.FromMilliseconds(100)))
            .AddOutbox<ShopContext>(o => (o.PollInterval, o.BatchSize) = (TimeSpan.FromMilliseconds(200), 25))
            .AddOutboxProducer<OrderPlaced>(OutboxDestination.Queue(queue), EngineJson.Default.OrderPlaced);
        using var host = builder.Build();
        await host.StartAsync();
        await host.Services.GetRequiredService<MessagingReadiness>().WaitAsync().WaitAsync(TimeSpan.FromSeconds(30));

        // Saved in transactions of ten: each order and its OrderPlaced commit together.
        var saved = new List<string>();
        for (var batch = 0; batch < orders / 10; batch++)
        {
            await using var scope = host.Services.CreateAsyncScope();
            var context = scope.ServiceProvider.GetRequiredService<ShopContext>();
            var producer = scope.ServiceProvider.GetRequiredService<IOutboxProducer<OrderPlaced>>();
            for (var i = 0; i < 10; i++)
            {
                var id = $"order-{batch * 10 + i}";
                context.Orders.Add(new Order { Id = id, Customer = $"customer-{i % 3}" });
                producer.Add(new OrderPlaced(id, $"customer-{i % 3}"), key: $"customer-{i % 3}");
                saved.Add(id);
            }

            await context.SaveChangesAsync();
        }

        // A transaction that rolls back: neither the order nor its message exists.
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var context = scope.ServiceProvider.GetRequiredService<ShopContext>();
            await using var transaction = await context.Database.BeginTransactionAsync();
            context.Orders.Add(new Order { Id = "order-rolled-back", Customer = "customer-0" });
            scope.ServiceProvider.GetRequiredService<IOutboxProducer<OrderPlaced>>().Add(new OrderPlaced("order-rolled-back", "customer-0"));
            await context.SaveChangesAsync();
            await transaction.RollbackAsync();
        }

        await Wait.UntilAsync(async () => await ReservedAsync() == orders, $"{orders} reservations", TimeSpan.FromSeconds(60));

        // One reservation per saved order, none for the rolled-back one, and the outbox all sent.
        await using (var context = _database.NewContext())
        {
            var reserved = await context.Reservations.Select(r => r.OrderId).ToListAsync();
            Assert.Equal(saved.Order(), reserved.Order());
            Assert.Equal(0, await context.Outbox.CountAsync(m => m.SentAt == null));
            Assert.Equal(orders, await context.Outbox.CountAsync());
            Assert.False(await context.Orders.AnyAsync(o => o.Id == "order-rolled-back"));
        }

        // A redelivery (the Redis acknowledgement lost after the commit) finds the marker and applies nothing.
        byte[] again;
        await using (var context = _database.NewContext())
        {
            again = (await context.Outbox.OrderBy(m => m.Id).FirstAsync()).Payload;
        }

        var handledBefore = ReserveStock.Calls;
        await servers.Redis.Database.ListRightPushAsync(queue, again);
        await Wait.UntilAsync(() => ReserveStock.Calls > handledBefore, "the redelivered message is handled", TimeSpan.FromSeconds(30));
        Assert.Equal(orders, await ReservedAsync());
        await host.StopAsync();
    }

    [Fact]
    public async Task A_queue_whose_key_holds_another_type_gets_its_rows_parked_through_the_engine_and_the_rest_flow()
    {
        var (good, poison) = (TestNames.Unique("orders-placed"), TestNames.Unique("poisoned"));
        // One partition: the engine's list for the queue is the queue's own name; a string there makes RPUSH answer WRONGTYPE.
        await servers.Redis.Database.StringSetAsync(poison, "not a list");
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddDbContext<ShopContext>((provider, options) => _database.Configure(options.AddOutboxSignal(provider.GetRequiredService<IOutboxSignal>())));
        builder.Services.AddRedisMessaging(o => o.ConnectionString = servers.Redis.Address)
            .AddOutbox<ShopContext>(o => (o.PollInterval, o.MaxRefusals, o.RefusalRetryDelay) = (TimeSpan.FromMilliseconds(100), 2, TimeSpan.FromMilliseconds(100)));
        using var host = builder.Build();
        await host.StartAsync();
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var outbox = scope.ServiceProvider.GetRequiredService<IOutbox>();
            outbox.Add(OutboxDestination.Queue(poison), "refused", "customer-0", [(byte)'{', (byte)'}']);
            outbox.Add(OutboxDestination.Queue(good), "behind", "customer-0", [(byte)'{', (byte)'}']);
            await scope.ServiceProvider.GetRequiredService<ShopContext>().SaveChangesAsync();
        }

        await Wait.UntilAsync(async () => await servers.Redis.Database.ListLengthAsync(good) == 1, "the row behind the refused one arrives", TimeSpan.FromSeconds(30));
        await using var check = _database.NewContext();
        var parked = await check.Outbox.SingleAsync(m => m.MessageId == "refused");
        Assert.True(parked is { Refusals: 2, SentAt: null, ParkedAt: not null }, $"refusals {parked.Refusals}, parked {parked.ParkedAt}");
        Assert.Contains("WRONGTYPE", parked.LastError, StringComparison.Ordinal);
        await host.StopAsync();
    }

    private async Task<int> ReservedAsync()
    {
        await using var context = _database.NewContext();
        return await context.Reservations.CountAsync();
    }
}

/// <summary>What the order service announces.</summary>
public sealed record OrderPlaced(string OrderId, string Customer);

/// <summary>The stock service's handler: the reservation and the inbox marker commit in one database transaction.</summary>
public sealed class ReserveStock(ShopContext database) : IMessageHandler<OrderPlaced>
{
    private static int _calls;

    public static int Calls => Volatile.Read(ref _calls);

    public async ValueTask HandleAsync(MessageContext<OrderPlaced> context, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        await InboxExecution.RunOnceAsync(database, "stock", context.Id, (db, _) =>
        {
            db.Reservations.Add(new StockReservation { OrderId = context.Message.OrderId });
            return Task.CompletedTask;
        }, cancellationToken);
    }
}

[JsonSerializable(typeof(OrderPlaced))]
internal sealed partial class EngineJson : JsonSerializerContext;

[Collection(OutboxCollection.Name)]
public sealed class SqliteEngineOutboxTests(OutboxServers servers) : EngineOutboxTests(servers, DatabaseKind.Sqlite);

[Collection(OutboxCollection.Name)]
public sealed class PostgresEngineOutboxTests(OutboxServers servers) : EngineOutboxTests(servers, DatabaseKind.Postgres);
