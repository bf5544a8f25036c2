using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace PubSubDemo.Messaging.EntityFrameworkCore;

/// <summary>
/// The relay's second loop, so it goes on while a send hangs: every <see cref="OutboxRelayOptions.CleanupInterval"/>
/// it deletes sent rows and expired lease rows past their retention (never an unsent or parked row; the inbox's markers
/// are <see cref="InboxCleanup{TContext}"/>'s),
/// and every <see cref="OutboxRelayOptions.MetricsInterval"/> it reads the gauges' figures.
/// </summary>
internal sealed class OutboxHousekeeping<TContext>(
    IServiceScopeFactory scopes, OutboxRelayOptions options, OutboxMetrics metrics, TimeProvider time, ILogger logger)
    where TContext : DbContext
{
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        var nextCleanup = time.GetUtcNow();
        var nextMetrics = nextCleanup;
        var tick = TimeSpan.FromTicks(Math.Min(options.CleanupInterval.Ticks, options.MetricsInterval.Ticks));
        while (!stoppingToken.IsCancellationRequested)
        {
            var now = time.GetUtcNow();
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<TContext>();
                if (now >= nextCleanup)
                {
                    nextCleanup = now + options.CleanupInterval;
                    await CleanUpAsync(db, now.UtcDateTime, stoppingToken);
                }

                if (now >= nextMetrics)
                {
                    nextMetrics = now + options.MetricsInterval;
                    // Parked rows are the operator's now: they count apart, so the age of what flows is not stuck on them.
                    var unsent = db.Set<OutboxMessage>().Where(m => m.SentAt == null && m.ParkedAt == null);
                    var depth = await unsent.LongCountAsync(stoppingToken);
                    var oldest = await unsent.MinAsync(m => (DateTime?)m.CreatedAt, stoppingToken);
                    var parked = await db.Set<OutboxMessage>().LongCountAsync(m => m.ParkedAt != null && m.SentAt == null, stoppingToken);
                    metrics.Observed(depth, oldest is { } created ? now.UtcDateTime - created : TimeSpan.Zero, parked);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                OutboxLog.HousekeepingFailed(logger, options.RelayName, ex);
            }

            try
            {
                await Task.Delay(tick, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                // Stopping: the loop's condition ends it.
            }
        }
    }

    private async Task CleanUpAsync(TContext db, DateTime now, CancellationToken cancellationToken)
    {
        var sentBefore = now - options.Retention;
        var sent = await db.Set<OutboxMessage>().Where(m => m.SentAt != null && m.SentAt < sentBefore).ExecuteDeleteAsync(cancellationToken);
        if (sent > 0)
        {
            OutboxLog.CleanedUp(logger, options.RelayName, sent, sentBefore);
        }

        var expiredBefore = now - options.LeaseRetention;
        var leases = await db.Set<OutboxLease>().Where(l => l.ExpiresAt < expiredBefore).ExecuteDeleteAsync(cancellationToken);
        if (leases > 0)
        {
            OutboxLog.CleanedUpLeases(logger, options.RelayName, leases, expiredBefore);
        }
    }
}
