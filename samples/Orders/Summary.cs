using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PubSubDemo.Messaging.EntityFrameworkCore;

namespace Orders;

/// <summary>What this process did since it started (the database holds what every process did).</summary>
internal sealed class OrdersTally
{
    private long _placed;
    private long _applied;
    private long _duplicates;

    public void Placed() => Interlocked.Increment(ref _placed);

    public void Handled(InboxOutcome outcome) => Interlocked.Increment(ref outcome == InboxOutcome.Applied ? ref _applied : ref _duplicates);

    public string Describe(string role) => role == Roles.OrderService
        ? $"placed here {Volatile.Read(ref _placed)}"
        : $"applied here {Volatile.Read(ref _applied)}, duplicates skipped here {Volatile.Read(ref _duplicates)}";
}

/// <summary>
/// One line every two seconds, read from the database (so both roles, and a restarted process, tell the same story):
/// orders saved, messages sent (outbox rows with SentAt), effects applied (reservations), and the difference between
/// saved and applied, which is work in flight while the services run and must come to 0 once they catch up.
/// </summary>
internal sealed class Summary(IServiceScopeFactory scopes, OrdersTally tally, string role, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(OrdersSettings.SummaryInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await PrintAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The closing line below.
        }

        using var closing = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await PrintAsync(closing.Token);
    }

    private async Task PrintAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<OrdersContext>();
            var saved = await db.Orders.CountAsync(cancellationToken);
            var sent = await db.Outbox.CountAsync(m => m.SentAt != null, cancellationToken);
            var unsent = await db.Outbox.CountAsync(m => m.SentAt == null, cancellationToken);
            var applied = await db.Reservations.CountAsync(cancellationToken);
            Console.WriteLine($"[{role}] orders saved {saved}, messages sent {sent} (unsent {unsent}), effects applied {applied}, difference {saved - applied}; {tally.Describe(role)}");
        }
        catch (Exception ex) when (ex is DbUpdateException or InvalidOperationException or System.Data.Common.DbException or OperationCanceledException)
        {
            // A summary is not worth stopping the service for: the next one comes in two seconds.
            Console.WriteLine($"[{role}] summary unavailable: {ex.GetBaseException().Message}");
        }
    }
}
