using Microsoft.Extensions.Logging;
using PubSubDemo.Messaging.Configuration;
using PubSubDemo.Messaging.Connection;
using PubSubDemo.Messaging.Observability;
using StackExchange.Redis;

namespace PubSubDemo.Messaging.Producing;

/// <summary>What ends the retries of a batch the server keeps failing, when the token given to them fires.</summary>
internal enum RetryEnd
{
    /// <summary>The token is the caller's: it ends the retries with <see cref="OperationCanceledException"/>, and the caller owns the batch.</summary>
    Cancelled,

    /// <summary>
    /// The token is a give-up deadline (the publisher's drain at shutdown, a caller's give-up time): when it cuts a pause
    /// short the batch gets one last try; when it passed while an attempt was on the wire, none. Then the failure is returned.
    /// </summary>
    LastTry,
}

/// <summary>
/// The producer's loss guard, one loop for every way in (the publisher's pipeline, the typed producers, the outbox relay):
/// a batch that failed is sent again with the same bytes (the same ids, to the same partitions, only to the destinations
/// that did not take it) after <see cref="ServerRetry"/>'s backoff, until every destination has taken it or the token ends it.
/// </summary>
internal sealed partial class MessageSender
{
    /// <summary>
    /// Retries <paramref name="batch"/> after its first <paramref name="failure"/>, reporting each failure as a retry.
    /// Returns null once every message is taken, or the last failure when a <see cref="RetryEnd.LastTry"/> deadline ended it.
    /// </summary>
    private async Task<Exception?> RetryUntilTakenAsync(IDatabase database, List<OutgoingMessage> batch, Exception failure, RetryEnd end, CancellationToken stop)
    {
        var latest = failure;
        var retrying = false;
        var stoppedBeforeFailure = false;
        try
        {
            await _retry.RetryWhileFailingAsync(
                async _ =>
                {
                    // The first failure is the one the caller's attempt brought back.
                    if (retrying)
                    {
                        if (await TrySendAsync(database, batch) is not { } next)
                        {
                            return null;
                        }

                        latest = next;
                    }

                    retrying = true;
                    stoppedBeforeFailure = stop.IsCancellationRequested;
                    return Retried(batch, latest);
                },
                (reason, pause) => LogRetry(batch.Count, batch[0].Message.Id, DurationParser.Format(pause), reason),
                stop);
            return null;
        }
        catch (OperationCanceledException) when (end == RetryEnd.LastTry && stop.IsCancellationRequested)
        {
            // The deadline cut a pause short: one last try. When it passed while an attempt was on the wire, that was the last.
            if (stoppedBeforeFailure)
            {
                return latest;
            }

            if (await TrySendAsync(database, batch) is not { } last)
            {
                return null;
            }

            Retried(batch, last);
            return last;
        }
    }

    private string Retried(List<OutgoingMessage> batch, Exception failure)
    {
        var reason = failure.GetBaseException().Message;
        _observers.Failed(_traceDestination, ProducerOutcome.Retried, batch.Count, reason);
        return reason;
    }

    /// <summary>Every destination took these: reported as sent.</summary>
    private void Complete(List<OutgoingMessage> batch) => _observers.Sent(_traceDestination, batch);

    /// <summary>
    /// A deadline passed with <paramref name="batch"/> not wholly taken: what was taken is reported as sent, the rest as
    /// given up (its producer spans ended with the failure) and logged with its ids; returns the rest and the reason.
    /// </summary>
    public (List<OutgoingMessage> NotTaken, string? Reason) GiveUp(List<OutgoingMessage> batch, Exception failure, bool atShutdown)
    {
        var taken = batch.FindAll(m => m.IsTaken);
        if (taken.Count == batch.Count)
        {
            // The failure came from a part that had nothing left to take (a refused script's fallback, say).
            Complete(batch);
            return ([], null);
        }

        var rest = taken.Count == 0 ? batch : batch.FindAll(m => !m.IsTaken);
        if (taken.Count > 0)
        {
            Complete(taken);
        }

        var reason = failure.GetBaseException().Message;
        _observers.Failed(_traceDestination, ProducerOutcome.GivenUp, rest.Count, reason);
        foreach (var message in rest)
        {
            MessageTracing.EndSend(message.Trace, reason);
        }

        if (atShutdown)
        {
            LogUnsent(rest.Count, rest[0].Message.Id, rest[^1].Message.Id, reason);
        }
        else
        {
            LogGaveUp(rest.Count, rest[0].Message.Id, rest[^1].Message.Id, reason);
        }

        return (rest, reason);
    }

    [LoggerMessage(2004, LogLevel.Warning, "Could not send {Count} messages from {FirstId} on: {Reason}; retrying in {Backoff} with the same ids")]
    private partial void LogRetry(int count, string firstId, string backoff, string reason);

    [LoggerMessage(2005, LogLevel.Error, "Gave up on {Count} messages ({FirstId} .. {LastId}) at shutdown: the server did not take them ({Reason})")]
    private partial void LogUnsent(int count, string firstId, string lastId, string reason);

    [LoggerMessage(2007, LogLevel.Error, "Gave up on {Count} messages ({FirstId} .. {LastId}) at the caller's deadline: the server did not take them ({Reason})")]
    private partial void LogGaveUp(int count, string firstId, string lastId, string reason);
}
