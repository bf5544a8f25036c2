using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using PubSubDemo.Messaging;

namespace Shop;

/// <summary>The topics' names (ORDER_TOPIC, SHIPMENT_TOPIC), how often each producer sends, and how many (MESSAGE_COUNT, 0 = until stopped).</summary>
internal sealed record ShopTopics(string Order, string Shipment, TimeSpan OrderInterval, TimeSpan ShipmentInterval, int Count)
{
    public static ShopTopics From(IConfiguration configuration) => new(
        configuration["ORDER_TOPIC"] ?? "order",
        configuration["SHIPMENT_TOPIC"] ?? "shipment",
        TimeSpan.FromMilliseconds(int.Parse(configuration["ORDER_INTERVAL_MS"] ?? "1000", CultureInfo.InvariantCulture)),
        TimeSpan.FromMilliseconds(int.Parse(configuration["SHIPMENT_INTERVAL_MS"] ?? "2000", CultureInfo.InvariantCulture)),
        int.Parse(configuration["MESSAGE_COUNT"] ?? "0", CultureInfo.InvariantCulture));
}

/// <summary>Places an order every ORDER_INTERVAL_MS; keyed by order id, so one order's messages stay in order.</summary>
internal sealed class OrderService(IMessageProducer<Order> orders, IConfiguration configuration, IHostApplicationLifetime lifetime) : BackgroundService
{
    private static readonly string[] Items = ["book", "lamp", "kettle", "chair"];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var topics = ShopTopics.From(configuration);
        using var timer = new PeriodicTimer(topics.OrderInterval);
        for (var n = 1; (topics.Count == 0 || n <= topics.Count) && await timer.WaitForNextTickAsync(stoppingToken); n++)
        {
            var order = new Order($"order-{n}", Items[n % Items.Length], 1 + (n % 3));
            await orders.SendAsync(order, key: order.OrderId, cancellationToken: stoppingToken);
            Console.WriteLine($"[order-service] placed {order.OrderId}: {order.Quantity} x {order.Item}");
        }

        lifetime.StopApplication();
    }
}

/// <summary>Reports a shipment's status every SHIPMENT_INTERVAL_MS.</summary>
internal sealed class ShippingService(IMessageProducer<Shipment> shipments, IConfiguration configuration, IHostApplicationLifetime lifetime) : BackgroundService
{
    private static readonly string[] Statuses = ["packed", "dispatched", "delivered"];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var topics = ShopTopics.From(configuration);
        using var timer = new PeriodicTimer(topics.ShipmentInterval);
        for (var n = 1; (topics.Count == 0 || n <= topics.Count) && await timer.WaitForNextTickAsync(stoppingToken); n++)
        {
            var shipment = new Shipment($"shipment-{(n + 2) / 3}", $"order-{(n + 2) / 3}", Statuses[(n - 1) % Statuses.Length]);
            await shipments.SendAsync(shipment, key: shipment.OrderId, cancellationToken: stoppingToken);
            Console.WriteLine($"[shipping-service] {shipment.ShipmentId} of {shipment.OrderId}: {shipment.Status}");
        }

        lifetime.StopApplication();
    }
}
