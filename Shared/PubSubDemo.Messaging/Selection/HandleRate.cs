using System.Threading.RateLimiting;
using PubSubDemo.Messaging.Configuration;

namespace PubSubDemo.Messaging.Selection;

/// <summary>
/// HANDLE_RATE for the whole subscriber: one token bucket that the channel, queue and stream consumers draw from.
/// A consumer asks before it takes: the queue and the stream take no more items than they were granted, so the
/// backlog stays on the server; the channel reads one pushed message per token, so the backlog waits in the client's
/// buffer (up to CHANNEL_BUFFER, then counted as dropped: pub/sub has no server-side backlog). The bucket refills
/// in steps of about 50 ms (one token per step below 20/s), and holds no more than one step, so a burst after a quiet
/// spell is a step's worth. Unlimited when HANDLE_RATE is unset: then asking costs nothing.
/// </summary>
internal sealed class HandleRate : IDisposable
{
    private readonly TokenBucketRateLimiter? _bucket;

    public HandleRate(SelectionOptions selection)
    {
        if (selection.HandleRate is not { } rate)
        {
            return;
        }

        var perStep = Math.Max(1, (int)Math.Round(rate / 20));
        Step = TimeSpan.FromSeconds(perStep / rate);
        _bucket = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = perStep,
            TokensPerPeriod = perStep,
            ReplenishmentPeriod = Step,
            AutoReplenishment = true,
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
    }

    public bool Limited => _bucket is not null;

    /// <summary>How often the bucket refills (zero when unlimited).</summary>
    public TimeSpan Step { get; }

    /// <summary>
    /// Waits for at least one token, then takes whatever else is there up to <paramref name="wanted"/>, and returns
    /// how many messages the caller may take now. Unlimited: <paramref name="wanted"/> at once.
    /// </summary>
    public async ValueTask<int> TakeAsync(int wanted, CancellationToken cancellationToken)
    {
        if (_bucket is null)
        {
            return wanted;
        }

        using (var first = await _bucket.AcquireAsync(1, cancellationToken))
        {
            if (!first.IsAcquired)
            {
                // Only once the limiter is disposed, at the very end of the host.
                throw new OperationCanceledException("HANDLE_RATE's limiter is gone: the subscriber is stopping");
            }
        }

        var granted = 1;
        while (granted < wanted)
        {
            using var more = _bucket.AttemptAcquire(1);
            if (!more.IsAcquired)
            {
                break;
            }

            granted++;
        }

        return granted;
    }

    /// <summary>
    /// The longest a queue or stream round may wait for tokens, for the liveness check: up to one step per partition,
    /// for each loop that may be waiting ahead of it (every CHANNEL entry, the queue and the stream).
    /// </summary>
    public TimeSpan LongestRound(MessagingOptions messaging) => Step * messaging.PartitionCount * (messaging.Channels.Count + 2);

    public void Dispose() => _bucket?.Dispose();
}
