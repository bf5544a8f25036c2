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

    public long PlacedCount => Volatile.Read(ref _placed);

    public long AppliedCount => Volatile.Read(ref _applied);

    public void Placed() => Interlocked.Increment(ref _placed);

    public void Handled(InboxOutcome outcome) => Interlocked.Increment(ref outcome == InboxOutcome.Applied ? ref _applied : ref _duplicates);

    public string Describe(string role) => role == Roles.OrderService
        ? $"placed here {Volatile.Read(ref _placed)}"
        : $"applied here {Volatile.Read(ref _applied)}, duplicates skipped here {Volatile.Read(ref _duplicates)}";
}

/// <summary>
/// One line every two seconds, read from the database (so both roles, and a restarted process, tell the same story):
/// orders saved, messages sent (outbox rows with SentAt), effects applied (reservations), and the difference between
/// saved and applied, which is work in flight while the services run and must come to 0 once they catch up. The same
/// figures, with the outbox's depth, age and parked rows, go to the monitor (<see cref="OrdersMonitorReport"/>).
/// </summary>
internal sealed class Summary(IServiceScopeFactory scopes, OrdersTally tally, string role, OrdersMonitorReport report, TimeProvider time) : BackgroundService
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
        await report.DeleteAsync();
    }

    private async Task PrintAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<OrdersContext>();
            var saved = await db.Orders.LongCountAsync(cancellationToken);
            var sent = await db.Outbox.LongCountAsync(m => m.SentAt != null, cancellationToken);
            var unsent = db.Outbox.Where(m => m.SentAt == null && m.ParkedAt == null);
            var depth = await unsent.LongCountAsync(cancellationToken);
            var oldest = await unsent.MinAsync(m => (DateTime?)m.CreatedAt, cancellationToken);
            var parked = await db.Outbox.LongCountAsync(m => m.SentAt == null && m.ParkedAt != null, cancellationToken);
            var applied = await db.Reservations.LongCountAsync(cancellationToken);
            var age = oldest is { } created ? Math.Max(0, (time.GetUtcNow().UtcDateTime - created).TotalSeconds) : 0;
            var parkedText = parked > 0 ? $", parked {parked}" : "";
            Console.WriteLine($"[{role}] orders saved {saved}, messages sent {sent} (unsent {depth}, oldest {age:F1} s{parkedText}), effects applied {applied}, difference {saved - applied}; {tally.Describe(role)}");
            await report.WriteAsync(new OrdersFigures(saved, sent, depth, age, parked, applied), cancellationToken);
        }
        catch (Exception ex) when (ex is DbUpdateException or InvalidOperationException or System.Data.Common.DbException or OperationCanceledException)
        {
            // A summary is not worth stopping the service for: the next one comes in two seconds.
            Console.WriteLine($"[{role}] summary unavailable: {ex.GetBaseException().Message}");
        }
    }
}
