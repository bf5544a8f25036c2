using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PubSubDemo.Messaging;
using Shop;

// Seed 001's shop on the library: an order service and a shipping service produce typed messages on the `order` and
// `shipment` streams; the shipping consumer reads orders in its group, the notification service reads both in its
// own, so each service gets every message, at least once, and one that was away catches up where it left off.
var role = args.FirstOrDefault() ?? "";
var builder = Host.CreateApplicationBuilder(args);
var topics = ShopTopics.From(builder.Configuration);
var messaging = builder.Services.AddRedisMessaging(o => o.ConnectionString = builder.Configuration["REDIS_ADDR"] ?? "localhost:6379");
switch (role)
{
    case "order-service":
        messaging.AddStream<Order>(topics.Order, ShopJson.Default.Order);
        builder.Services.AddHostedService<OrderService>();
        break;
    case "shipping-service":
        messaging.AddStream<Shipment>(topics.Shipment, ShopJson.Default.Shipment);
        builder.Services.AddHostedService<ShippingService>();
        break;
    case "shipping-consumer":
        messaging.AddStream<Order, ShipOrder>(topics.Order, ShopJson.Default.Order, o => (o.Group, o.StartAt) = ("shipping", "0"));
        break;
    case "notification-service":
        messaging.AddStream<Order, NotifyOrder>(topics.Order, ShopJson.Default.Order, o => (o.Group, o.StartAt) = ("notification", "0"));
        messaging.AddStream<Shipment, NotifyShipment>(topics.Shipment, ShopJson.Default.Shipment, o => (o.Group, o.StartAt) = ("notification", "0"));
        break;
    default:
        Console.Error.WriteLine($"error: role '{role}' is not known; use order-service, shipping-service, shipping-consumer or notification-service");
        return 2;
}

await builder.Build().RunAsync();
return 0;

[JsonSerializable(typeof(Order))]
[JsonSerializable(typeof(Shipment))]
internal sealed partial class ShopJson : JsonSerializerContext;
