using PubSubDemo.Messaging.Connection;
using PubSubDemo.Shared.Observability;
using StackExchange.Redis;

namespace Orders;

/// <summary>What the summary read from the database, as the summary line and the monitor's outbox panel show it.</summary>
internal sealed record OrdersFigures(long Saved, long Sent, long Unsent, double OldestUnsentSeconds, long Parked, long Applied);

/// <summary>
/// Writes this process's monitor report (<c>pubsubdemo:monitor:&lt;instance&gt;</c>, the key and format every service
/// writes, Shared/Observability/MonitorReport.cs) with the outbox figures, each time the summary reads them; the
/// monitor shows an Outbox panel for it. Deleted on a clean stop; a killed process's report expires.
/// </summary>
internal sealed class OrdersMonitorReport(RedisConnection connection, OrdersTally tally, string role, TimeProvider time)
{
    private readonly string _instance = $"{role}-{Environment.ProcessId}";
    private readonly DateTimeOffset _startedAt = time.GetUtcNow();
    private (long Count, long Timestamp)? _last;

    public async Task WriteAsync(OrdersFigures figures, CancellationToken cancellationToken)
    {
        // Not connected (the server away, or not answered yet): no report now, and no wait that would hold the summary up.
        if (!connection.IsConnected || await connection.TryGetAsync(cancellationToken) is not { } multiplexer)
        {
            return;
        }

        var count = role == Roles.OrderService ? tally.PlacedCount : tally.AppliedCount;
        var now = time.GetTimestamp();
        var rate = _last is { } last && time.GetElapsedTime(last.Timestamp, now) is { TotalSeconds: > 0 } elapsed
            ? Math.Round((count - last.Count) / elapsed.TotalSeconds, 1)
            : 0;
        _last = (count, now);
        var report = new MonitorReport
        {
            Role = role == Roles.OrderService ? MonitorReport.PublisherRole : MonitorReport.SubscriberRole,
            Instance = _instance,
            Pattern = "queue",
            StartedAt = _startedAt,
            At = time.GetUtcNow(),
            Count = count,
            Rate = rate,
            MemoryBytes = Environment.WorkingSet,
            Outbox = new OutboxReport("orders", figures.Unsent, Math.Round(figures.OldestUnsentSeconds, 1), figures.Sent, figures.Parked)
            {
                Saved = figures.Saved,
                Applied = figures.Applied,
            },
        };
        try
        {
            await multiplexer.GetDatabase().StringSetAsync(MonitorKeys.For(_instance), report.ToUtf8Json(), MonitorKeys.Ttl);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // The monitor misses one report; the summary line says what the database holds anyway.
        }
    }

    public async Task DeleteAsync()
    {
        if (connection.IsConnected && await connection.TryGetAsync(CancellationToken.None) is { } multiplexer)
        {
            try
            {
                await multiplexer.GetDatabase().KeyDeleteAsync(MonitorKeys.For(_instance)).WaitAsync(TimeSpan.FromSeconds(2));
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
            }
        }
    }
}
