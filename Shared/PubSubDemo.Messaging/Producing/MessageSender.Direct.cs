using PubSubDemo.Messaging.Configuration;
using PubSubDemo.Messaging.Connection;
using StackExchange.Redis;

namespace PubSubDemo.Messaging.Producing;

/// <summary>
/// The typed producers' way in: one batch, sent now to this sender's destinations (one round trip for all of them),
/// retried with the same bytes and backoff while the server fails transiently, until it is taken or the caller cancels.
/// </summary>
internal sealed partial class MessageSender
{
    /// <summary>Sends <paramref name="batch"/> and completes once every destination has taken every message in it.</summary>
    public async Task SendNowAsync(IDatabase database, List<OutgoingMessage> batch, ServerProfile? server, CancellationToken cancellationToken)
    {
        _destinations ??= CreateDestinations(server);
        _partitioner.Assign(batch);
        if (await TrySendAsync(database, batch) is not { } failure)
        {
            Complete(batch);
            return;
        }

        var latest = failure;
        await _retry.RetryWhileFailingAsync(
            async _ =>
            {
                if (latest is null && await TrySendAsync(database, batch) is { } next)
                {
                    latest = next;
                }

                if (latest is null)
                {
                    return null;
                }

                var reason = latest.GetBaseException().Message;
                latest = null;
                stats.OnRetry();
                return reason;
            },
            (reason, pause) => LogRetry(batch.Count, batch[0].Message.Id, DurationParser.Format(pause), reason),
            cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        Complete(batch);
    }

    private void Complete(List<OutgoingMessage> batch)
    {
        stats.LastPayloadBytes = batch[^1].Payload.Length();
        stats.OnSent(batch.Count, time.GetUtcNow());
    }
}
