using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace PubSubDemo.Messaging.EntityFrameworkCore;

/// <summary>
/// Publishes the outbox of <typeparamref name="TContext"/>: batches of unsent rows in sequence order, handed to the
/// <see cref="IOutboxTransport"/> and marked sent only after it returns. A crash anywhere leaves rows unsent, never
/// lost: the next relay (this one restarted, or another instance) sends them again with the same ids. It wakes on
/// <see cref="IOutboxSignal"/> and polls every <see cref="OutboxRelayOptions.PollInterval"/>. A row the transport refuses
/// (<see cref="OutboxSendRefusedException"/>) is tried again with backoff and parked after
/// <see cref="OutboxRelayOptions.MaxRefusals"/>; a server that is away is waited for. Beside the sending, it deletes sent
/// rows and lease rows past their retention and reads the depth for the gauges.
/// </summary>
public sealed class OutboxRelay<TContext>(
    IServiceScopeFactory scopes,
    IOutboxTransport transport,
    IOutboxSignal signal,
    IOptionsMonitor<OutboxRelayOptions> optionsMonitor,
    IMeterFactory meterFactory,
    TimeProvider time,
    ILogger<OutboxRelay<TContext>> logger) : BackgroundService
    where TContext : DbContext
{
    private readonly OutboxRelayOptions _options = optionsMonitor.Get(OutboxRelayOptions.NameFor(typeof(TContext)));
    private readonly OutboxMetrics _metrics = new(meterFactory, optionsMonitor.Get(OutboxRelayOptions.NameFor(typeof(TContext))).RelayName);
    private readonly OutboxDelivery _delivery = new(transport, optionsMonitor.Get(OutboxRelayOptions.NameFor(typeof(TContext))), time, logger);
    private IOutboxClaim? _claim;
    private long _sentCount;

    /// <summary>Rows this relay marked sent since it started.</summary>
    public long SentCount => Interlocked.Read(ref _sentCount);

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The host's start must not wait for the first batch.
        await Task.Yield();
        // Cleanup and gauges on their own loop: a relay stuck in a send is when the depth matters most.
        var housekeeping = new OutboxHousekeeping<TContext>(scopes, _options, _metrics, time, logger).RunAsync(stoppingToken);
        var retryDelay = _options.MinRetryDelay;
        while (!stoppingToken.IsCancellationRequested)
        {
            IReadOnlyList<OutboxMessage> current = [];
            int? taken;
            try
            {
                taken = await RelayBatchAsync(batch => current = batch, stoppingToken);
                retryDelay = _options.MinRetryDelay;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                _metrics.BatchFailed();
                OutboxLog.BatchFailed(logger, _options.RelayName, retryDelay, ex);
                await RecordFailureAsync(current, ex, stoppingToken);
                await DelayAsync(retryDelay, stoppingToken);
                retryDelay = TimeSpan.FromTicks(Math.Min(retryDelay.Ticks * 2, _options.MaxRetryDelay.Ticks));
                continue;
            }

            // A full batch says more is waiting: take it at once. Otherwise sleep until rows commit or the poll is due.
            if (taken != _options.BatchSize)
            {
                try
                {
                    await signal.WaitAsync(_options.PollInterval, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }

        await housekeeping;
        OutboxLog.Stopped(logger, _options.RelayName);
    }

    /// <inheritdoc />
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        // A relay that stops in order hands its lease over now rather than after LeaseDuration.
        if (_claim is not null)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await _claim.ReleaseAsync(scope.ServiceProvider.GetRequiredService<TContext>(), cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                OutboxLog.HousekeepingFailed(logger, _options.RelayName, ex);
            }
        }
    }

    private async Task<int?> RelayBatchAsync(Action<IReadOnlyList<OutboxMessage>> taken, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TContext>();
        _claim ??= CreateClaim(db);
        var outcome = await _claim.RelayBatchAsync(db, batch =>
        {
            taken(batch);
            return _delivery.SendAsync(batch, cancellationToken);
        }, cancellationToken);
        if (outcome is null)
        {
            return null;
        }

        // Counted and logged once the outcome is committed: a batch rolled back is sent again and counts then.
        if (outcome.Sent.Count > 0)
        {
            Interlocked.Add(ref _sentCount, outcome.Sent.Count);
            _metrics.Sent(outcome.Sent.Count);
        }

        foreach (var refused in outcome.Refused)
        {
            _metrics.Refused();
            if (refused.ParkedAt is not null)
            {
                _metrics.Parked();
                var row = refused.Row;
                OutboxLog.Parked(logger, _options.RelayName, row.Id, row.MessageId, row.DestinationKind, row.DestinationName, row.PartitionKey, refused.Refusals, refused.Error);
            }
        }

        return outcome.Taken;
    }

    private IOutboxClaim CreateClaim(DbContext db)
    {
        var mode = _options.ClaimMode;
        if (mode == OutboxClaimMode.Auto)
        {
            // By name, so the library needs no PostgreSQL provider of its own.
            mode = db.Database.ProviderName == "Npgsql.EntityFrameworkCore.PostgreSQL" ? OutboxClaimMode.SkipLocked : OutboxClaimMode.Lease;
        }

        OutboxLog.Started(logger, _options.RelayName, _options.InstanceId, mode);
        return mode == OutboxClaimMode.SkipLocked ? new SkipLockedClaim(_options, time) : new LeaseClaim(_options, time);
    }

    /// <summary>
    /// Counts the failed attempt on the rows for the operator; the rows stay unsent and are sent again. Not a refusal:
    /// nothing here moves a row towards parking.
    /// </summary>
    private async Task RecordFailureAsync(IReadOnlyList<OutboxMessage> batch, Exception exception, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return;
        }

        try
        {
            var ids = batch.Select(row => row.Id).ToList();
            var error = $"{exception.GetType().Name}: {exception.Message}";
            error = error.Length > 2000 ? error[..2000] : error;
            await using var scope = scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<TContext>().Set<OutboxMessage>()
                .Where(m => ids.Contains(m.Id) && m.SentAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.Attempts, m => m.Attempts + 1).SetProperty(m => m.LastError, error), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The database may be what failed: the count is for the operator, the resend does not need it.
            OutboxLog.HousekeepingFailed(logger, _options.RelayName, ex);
        }
    }

    private async Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, time, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Stopping: the loop's condition ends it.
        }
    }
}
