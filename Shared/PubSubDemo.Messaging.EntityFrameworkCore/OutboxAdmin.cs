using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace PubSubDemo.Messaging.EntityFrameworkCore;

/// <summary>
/// The operator's side of the outbox (scoped, like <see cref="IOutbox"/>): the rows the relay parked after
/// <see cref="OutboxRelayOptions.MaxRefusals"/> refusals, and putting them back once the cause is mended (the key's
/// type, the ACL, the payload). Nothing here deletes a row.
/// </summary>
public interface IOutboxAdmin
{
    /// <summary>The parked rows, oldest first, at most <paramref name="max"/>; each carries its refusals and last error.</summary>
    Task<IReadOnlyList<OutboxMessage>> GetParkedAsync(int max = 100, CancellationToken cancellationToken = default);

    /// <summary>
    /// Puts the parked row <paramref name="rowId"/> back: its refusals are cleared and the relay sends it next for its key,
    /// with its id, its message id and its bytes unchanged. Rows of its key sent while it was parked stay ahead of it.
    /// Returns false when no such row is parked.
    /// </summary>
    Task<bool> RequeueAsync(long rowId, CancellationToken cancellationToken = default);

    /// <summary>Puts back every parked row, or those for <paramref name="destinationName"/>; returns how many.</summary>
    Task<int> RequeueParkedAsync(string? destinationName = null, CancellationToken cancellationToken = default);
}

/// <summary>The operator's side of the outbox of <typeparamref name="TContext"/>.</summary>
/// <param name="context">The scope's DbContext.</param>
/// <param name="signal">Wakes this process's relay once rows are put back.</param>
/// <param name="options">The relay's options, for its name in the log line.</param>
/// <param name="logger">Logs each putting back.</param>
public sealed class OutboxAdmin<TContext>(TContext context, IOutboxSignal signal, IOptionsMonitor<OutboxRelayOptions> options, ILogger<OutboxAdmin<TContext>> logger) : IOutboxAdmin
    where TContext : DbContext
{
    private string RelayName => options.Get(OutboxRelayOptions.NameFor(typeof(TContext))).RelayName;

    /// <inheritdoc />
    public async Task<IReadOnlyList<OutboxMessage>> GetParkedAsync(int max = 100, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        return await Parked().OrderBy(m => m.Id).Take(max).AsNoTracking().ToListAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async Task<bool> RequeueAsync(long rowId, CancellationToken cancellationToken = default) =>
        await RequeueAsync(Parked().Where(m => m.Id == rowId), $"row {rowId}", cancellationToken) == 1;

    /// <inheritdoc />
    public Task<int> RequeueParkedAsync(string? destinationName = null, CancellationToken cancellationToken = default) =>
        destinationName is null
            ? RequeueAsync(Parked(), "all", cancellationToken)
            : RequeueAsync(Parked().Where(m => m.DestinationName == destinationName), $"for {destinationName}", cancellationToken);

    private IQueryable<OutboxMessage> Parked() => context.Set<OutboxMessage>().Where(m => m.ParkedAt != null && m.SentAt == null);

    private async Task<int> RequeueAsync(IQueryable<OutboxMessage> rows, string what, CancellationToken cancellationToken)
    {
        // Attempts and the last error stay, for the record; the refusals start again from 0.
        var count = await rows.ExecuteUpdateAsync(s => s
            .SetProperty(m => m.ParkedAt, (DateTime?)null)
            .SetProperty(m => m.NextAttemptAt, (DateTime?)null)
            .SetProperty(m => m.Refusals, 0), cancellationToken);
        if (count > 0)
        {
            OutboxLog.Requeued(logger, RelayName, count, what);
            signal.Notify();
        }

        return count;
    }
}
