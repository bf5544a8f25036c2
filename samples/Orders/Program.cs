using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orders;
using PubSubDemo.Messaging;
using PubSubDemo.Messaging.Connection;
using PubSubDemo.Messaging.EntityFrameworkCore;

// Issue 22's orders: the order service saves each order with its OrderPlaced in one transaction (the outbox) and its
// relay sends the messages to the queue; the stock service reserves stock for each, once, in one transaction with its
// handled marker (the inbox). Both print what the database holds every two seconds.
var role = args.FirstOrDefault() ?? "";
if (role is not (Roles.OrderService or Roles.StockService))
{
    Console.Error.WriteLine($"error: role '{role}' is not known; use {Roles.OrderService} or {Roles.StockService}");
    return 2;
}

// appsettings.json (EF Core's SQL lines at Warning) beside the dll, wherever the process is started from.
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
var (settings, error) = OrdersSettings.From(builder.Configuration);
if (settings is null)
{
    Console.Error.WriteLine($"error: {error}");
    return 2;
}

builder.Services.AddSingleton(settings).AddSingleton<OrdersTally>();
builder.Services.AddDbContext<OrdersContext>((services, options) =>
{
    settings.Configure(options);
    if (role == Roles.OrderService)
    {
        // Wakes this process's relay as soon as an order commits, instead of at its next poll.
        options.AddOutboxSignal(services.GetRequiredService<IOutboxSignal>());
    }
});
var messaging = builder.Services.AddRedisMessaging(o => o.ConnectionString = settings.RedisAddress);
if (role == Roles.OrderService)
{
    messaging.AddQueue<OrderPlaced>(settings.Queue, OrdersJson.Default.OrderPlaced, o => o.Partitions = OrdersSettings.Partitions)
        // A crashed order service holds the SQLite relay lease until it expires; its successor waits this long.
        .AddOutbox<OrdersContext>(o => o.LeaseDuration = TimeSpan.FromSeconds(5))
        .AddOutboxProducer<OrderPlaced>(OutboxDestination.Queue(settings.Queue), OrdersJson.Default.OrderPlaced);
    builder.Services.AddHostedService<OrderService>();
}
else
{
    // Pinned consumer name: a restarted stock service handles its own unacknowledged deliveries at once, instead of
    // waiting for its dead predecessor's heartbeat to expire.
    messaging.AddQueue<OrderPlaced, ReserveStock>(settings.Queue, OrdersJson.Default.OrderPlaced,
        o => (o.Partitions, o.ConsumerName, o.IdlePoll) = (OrdersSettings.Partitions, settings.ConsumerName, TimeSpan.FromMilliseconds(200)))
        // The inbox's markers are deleted after a week (InboxOptions.Retention), here where the handler writes them.
        .AddInbox<OrdersContext>();
}

builder.Services.AddHostedService(services => new Summary(
    services.GetRequiredService<IServiceScopeFactory>(), services.GetRequiredService<OrdersTally>(), role,
    new OrdersMonitorReport(services.GetRequiredService<RedisConnection>(), services.GetRequiredService<OrdersTally>(), role, services.GetRequiredService<TimeProvider>()),
    services.GetRequiredService<TimeProvider>()));
using var host = builder.Build();
await OrdersSchema.EnsureAsync(host.Services, settings, CancellationToken.None);
await host.RunAsync();
return 0;

[JsonSerializable(typeof(OrderPlaced))]
internal sealed partial class OrdersJson : JsonSerializerContext;
