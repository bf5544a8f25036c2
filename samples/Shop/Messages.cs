using PubSubDemo.Messaging;

namespace Shop;

/// <summary>A new order: what the order service publishes on the order topic.</summary>
internal sealed record Order(string OrderId, string Item, int Quantity);

/// <summary>A shipment's new status: what the shipping service publishes on the shipment topic.</summary>
internal sealed record Shipment(string ShipmentId, string OrderId, string Status);

/// <summary>The shipping service's consumer of orders.</summary>
internal sealed class ShipOrder : IMessageHandler<Order>
{
    public ValueTask HandleAsync(MessageContext<Order> context, CancellationToken cancellationToken)
    {
        Console.WriteLine($"[shipping] order {context.Message.OrderId}: preparing {context.Message.Quantity} x {context.Message.Item}");
        return ValueTask.CompletedTask;
    }
}

/// <summary>The notification service's consumer of orders.</summary>
internal sealed class NotifyOrder : IMessageHandler<Order>
{
    public ValueTask HandleAsync(MessageContext<Order> context, CancellationToken cancellationToken)
    {
        Console.WriteLine($"[notification] order {context.Message.OrderId} placed");
        return ValueTask.CompletedTask;
    }
}

/// <summary>The notification service's consumer of shipments.</summary>
internal sealed class NotifyShipment : IMessageHandler<Shipment>
{
    public ValueTask HandleAsync(MessageContext<Shipment> context, CancellationToken cancellationToken)
    {
        Console.WriteLine($"[notification] shipment {context.Message.ShipmentId} of order {context.Message.OrderId}: {context.Message.Status}");
        return ValueTask.CompletedTask;
    }
}
