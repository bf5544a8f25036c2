using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace PubSubDemo.Messaging.EntityFrameworkCore;

/// <summary>Settings of the inbox of one DbContext type (named by <see cref="OutboxRelayOptions.NameFor"/>).</summary>
public sealed class InboxOptions
{
    /// <summary>
    /// Markers are kept this long after their handling, then deleted. A marker must outlive every way the same message id
    /// can come back: a redelivery after a consumer crash (minutes), a resend by an outbox relay after its crash, a
    /// server restored from a backup, a dead letter redriven by a person after a weekend. A redelivery that comes after
    /// its marker is gone is applied again.
    /// </summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How often markers older than <see cref="Retention"/> are deleted.</summary>
    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromMinutes(5);
}

/// <summary>
/// Deletes the inbox markers of <typeparamref name="TContext"/> handled more than <see cref="InboxOptions.Retention"/> ago,
/// every <see cref="InboxOptions.CleanupInterval"/>; registered with the inbox, so an app that only consumes has it too.
/// A model without the inbox (no <c>AddMessagingInbox()</c> in it) has no markers, and nothing is done.
/// </summary>
internal sealed class InboxCleanup<TContext>(
    IServiceScopeFactory scopes, IOptionsMonitor<InboxOptions> optionsMonitor, TimeProvider time, ILogger<InboxCleanup<TContext>> logger) : BackgroundService
    where TContext : DbContext
{
    private readonly InboxOptions _options = optionsMonitor.Get(OutboxRelayOptions.NameFor(typeof(TContext)));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        var name = typeof(TContext).Name;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<TContext>();
                if (db.Model.FindEntityType(typeof(InboxMarker)) is null)
                {
                    return;
                }

                var before = (time.GetUtcNow() - _options.Retention).UtcDateTime;
                var deleted = await db.Set<InboxMarker>().Where(m => m.HandledAt < before).ExecuteDeleteAsync(stoppingToken);
                if (deleted > 0)
                {
                    OutboxLog.InboxCleanedUp(logger, name, deleted, before);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                OutboxLog.HousekeepingFailed(logger, name, ex);
            }

            try
            {
                await Task.Delay(_options.CleanupInterval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                // Stopping: the loop's condition ends it.
            }
        }
    }
}
