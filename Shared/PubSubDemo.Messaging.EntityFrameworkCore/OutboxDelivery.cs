using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace PubSubDemo.Messaging.EntityFrameworkCore;

/// <summary>A row the transport refused, with what the relay records on it: its count, its error, and its next try or its parking.</summary>
internal sealed record RefusedRow(OutboxMessage Row, int Refusals, string Error, DateTime? NextAttemptAt, DateTime? ParkedAt);

/// <summary>What became of a batch: how many rows were taken, the ones the transport accepted, the ones it refused.</summary>
internal sealed record BatchOutcome(int Taken, IReadOnlyList<OutboxMessage> Sent, IReadOnlyList<RefusedRow> Refused)
{
    public static readonly BatchOutcome Empty = new(0, [], []);

    /// <summary>Records the outcome on the rows: the sent ones marked sent, the refused ones counted and held back or parked.</summary>
    public async Task SaveAsync(DbContext db, DateTime sentAt, CancellationToken cancellationToken)
    {
        var outbox = db.Set<OutboxMessage>();
        if (Sent.Count > 0)
        {
            var ids = Sent.Select(row => row.Id).ToList();
            await outbox.Where(m => ids.Contains(m.Id)).ExecuteUpdateAsync(s => s.SetProperty(m => m.SentAt, sentAt), cancellationToken);
        }

        foreach (var refused in Refused)
        {
            await outbox.Where(m => m.Id == refused.Row.Id && m.SentAt == null).ExecuteUpdateAsync(s => s
                .SetProperty(m => m.Attempts, m => m.Attempts + 1)
                .SetProperty(m => m.Refusals, refused.Refusals)
                .SetProperty(m => m.LastError, refused.Error)
                .SetProperty(m => m.NextAttemptAt, refused.NextAttemptAt)
                .SetProperty(m => m.ParkedAt, refused.ParkedAt), cancellationToken);
        }
    }
}

/// <summary>
/// Hands a batch to the transport. When the transport refuses it (<see cref="OutboxSendRefusedException"/>), sends it
/// again one row at a time, in order, to find the rows refused: each of those is held back with backoff, or parked at
/// <see cref="OutboxRelayOptions.MaxRefusals"/>, and the rows behind it on its key are not sent in this pass (they
/// would overtake it). Any other failure is thrown: the whole batch stays unsent and is sent again.
/// </summary>
internal sealed class OutboxDelivery(IOutboxTransport transport, OutboxRelayOptions options, TimeProvider time, ILogger logger)
{
    public async Task<BatchOutcome> SendAsync(IReadOnlyList<OutboxMessage> batch, CancellationToken cancellationToken)
    {
        try
        {
            await transport.SendAsync(batch, cancellationToken);
            return new BatchOutcome(batch.Count, batch, []);
        }
        catch (OutboxSendRefusedException ex) when (batch.Count == 1)
        {
            return new BatchOutcome(1, [], [Refuse(batch[0], ex)]);
        }
        catch (OutboxSendRefusedException ex)
        {
            OutboxLog.Isolating(logger, options.RelayName, batch.Count, ex.Message);
        }

        // Rows the refused attempt got through are sent again here: at least once, as after any failed batch.
        var sent = new List<OutboxMessage>(batch.Count);
        var refused = new List<RefusedRow>();
        var held = new HashSet<string>(StringComparer.Ordinal);
        foreach (var row in batch)
        {
            if (row.PartitionKey is { } key && held.Contains(key))
            {
                continue;
            }

            try
            {
                await transport.SendAsync([row], cancellationToken);
                sent.Add(row);
            }
            catch (OutboxSendRefusedException ex)
            {
                refused.Add(Refuse(row, ex));
                if (row.PartitionKey is { } refusedKey)
                {
                    held.Add(refusedKey);
                }
            }
        }

        return new BatchOutcome(batch.Count, sent, refused);
    }

    /// <summary>The row's next state: tried again after a pause that doubles per refusal, or parked at the limit.</summary>
    private RefusedRow Refuse(OutboxMessage row, OutboxSendRefusedException exception)
    {
        var refusals = row.Refusals + 1;
        var now = time.GetUtcNow().UtcDateTime;
        var error = $"refused: {exception.Message}";
        error = error.Length > 2000 ? error[..2000] : error;
        if (options.MaxRefusals > 0 && refusals >= options.MaxRefusals)
        {
            return new RefusedRow(row, refusals, error, null, now);
        }

        var pause = refusals > 30 || options.RefusalRetryDelay.Ticks > options.MaxRetryDelay.Ticks >> (refusals - 1)
            ? options.MaxRetryDelay
            : TimeSpan.FromTicks(options.RefusalRetryDelay.Ticks << (refusals - 1));
        OutboxLog.Refused(logger, options.RelayName, row.Id, row.MessageId, refusals, pause, exception.Message);
        return new RefusedRow(row, refusals, error, now + pause, null);
    }
}
