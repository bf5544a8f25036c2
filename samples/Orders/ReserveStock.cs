using PubSubDemo.Messaging;
using PubSubDemo.Messaging.EntityFrameworkCore;

namespace Orders;

/// <summary>
/// The stock service's handler, in the delivery's DI scope: the reservation and the inbox marker (message id in the
/// scope "stock") commit in one transaction of that scope's DbContext. A redelivery, after a crash between the commit
/// and the Redis acknowledgement, finds the marker and is acknowledged without reserving again.
/// </summary>
internal sealed class ReserveStock(OrdersContext database, OrdersTally tally, TimeProvider time) : IMessageHandler<OrderPlaced>
{
    public const string InboxScope = "stock";

    public async ValueTask HandleAsync(MessageContext<OrderPlaced> context, CancellationToken cancellationToken)
    {
        var order = context.Message;
        var outcome = await InboxExecution.RunOnceAsync(database, InboxScope, context.Id, (db, _) =>
        {
            db.Reservations.Add(new StockReservation
            {
                OrderId = order.OrderId,
                Item = order.Item,
                Quantity = order.Quantity,
                ReservedAt = time.GetUtcNow().UtcDateTime,
            });
            return Task.CompletedTask;
        }, cancellationToken);
        tally.Handled(outcome);
    }
}
