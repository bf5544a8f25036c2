using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PubSubDemo.Messaging.EntityFrameworkCore;

namespace Orders;

/// <summary>
/// Saves orders at ORDER_RATE, each with its OrderPlaced in one SaveChanges (one transaction): the order and its
/// message exist together or not at all. The relay (a hosted service of this process) sends the messages afterwards.
/// Counts on from the orders already saved, so a restart after a crash tops the database up to ORDER_COUNT.
/// </summary>
internal sealed class OrderService(IServiceScopeFactory scopes, OrdersSettings settings, OrdersTally tally, TimeProvider time) : BackgroundService
{
    private static readonly string[] Items = ["book", "lamp", "kettle", "chair"];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        int saved;
        await using (var scope = scopes.CreateAsyncScope())
        {
            saved = await scope.ServiceProvider.GetRequiredService<OrdersContext>().Orders.CountAsync(stoppingToken);
        }

        // Paced by schedule (order n is due at start + n / rate), not by a sleep after each save, so a slow save is
        // caught up on instead of lowering the rate.
        var start = time.GetTimestamp();
        for (var n = 0L; settings.OrderCount == 0 || saved < settings.OrderCount; n++, saved++)
        {
            if (settings.OrderRate > 0)
            {
                var due = TimeSpan.FromSeconds(n / settings.OrderRate) - time.GetElapsedTime(start);
                if (due > TimeSpan.FromMilliseconds(1))
                {
                    await Task.Delay(due, time, stoppingToken);
                }
            }

            await PlaceAsync(saved, stoppingToken);
            tally.Placed();
        }

        Console.WriteLine($"[order-service] the database holds {saved} orders (ORDER_COUNT); the relay goes on sending until stopped");
    }

    private async Task PlaceAsync(int n, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var context = scope.ServiceProvider.GetRequiredService<OrdersContext>();
        var outbox = scope.ServiceProvider.GetRequiredService<IOutboxProducer<OrderPlaced>>();
        var order = new PlacedOrder
        {
            // Unique across restarts and instances, without asking the database.
            Id = $"order-{Guid.CreateVersion7(time.GetUtcNow()):N}",
            Customer = $"customer-{n % 16}",
            Item = Items[n % Items.Length],
            Quantity = 1 + (n % 3),
            PlacedAt = time.GetUtcNow().UtcDateTime,
        };
        context.Orders.Add(order);
        // Keyed by customer: one customer's orders reach the stock service in the order they were placed.
        outbox.Add(new OrderPlaced(order.Id, order.Customer, order.Item, order.Quantity), key: order.Customer);
        await context.SaveChangesAsync(cancellationToken);
    }
}
