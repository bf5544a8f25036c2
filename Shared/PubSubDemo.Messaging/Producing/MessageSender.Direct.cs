using PubSubDemo.Messaging.Connection;
using StackExchange.Redis;

namespace PubSubDemo.Messaging.Producing;

/// <summary>
/// The typed producers' and the outbox relay's way in: one batch, sent now to this sender's destinations (one round
/// trip for all of them), retried by the one loop (<see cref="RetryUntilTakenAsync"/>) while the server fails transiently.
/// </summary>
internal sealed partial class MessageSender
{
    /// <summary>
    /// Sends <paramref name="batch"/> and completes once every destination has taken every message in it; the caller's
    /// cancellation ends the retries with <see cref="OperationCanceledException"/>.
    /// </summary>
    public async Task SendNowAsync(IDatabase database, List<OutgoingMessage> batch, ServerProfile? server, CancellationToken cancellationToken)
    {
        if (await SendFirstAsync(database, batch, server) is { } failure)
        {
            await RetryUntilTakenAsync(database, batch, failure, RetryEnd.Cancelled, cancellationToken);
        }

        Complete(batch);
    }

    /// <summary>
    /// Sends <paramref name="batch"/> like <see cref="SendNowAsync"/>, but <paramref name="giveUp"/> is a deadline: when it
    /// passes with messages not taken (after one last try), they are given up, logged and returned with the server's
    /// error; none (and no reason) when all were taken.
    /// </summary>
    public async Task<(List<OutgoingMessage> NotTaken, string? Reason)> SendBeforeAsync(IDatabase database, List<OutgoingMessage> batch, ServerProfile? server, CancellationToken giveUp)
    {
        if (await SendFirstAsync(database, batch, server) is { } failure
            && await RetryUntilTakenAsync(database, batch, failure, RetryEnd.LastTry, giveUp) is { } last)
        {
            return GiveUp(batch, last, atShutdown: false);
        }

        Complete(batch);
        return ([], null);
    }

    private Task<Exception?> SendFirstAsync(IDatabase database, List<OutgoingMessage> batch, ServerProfile? server)
    {
        _destinations ??= CreateDestinations(server);
        _partitioner.Assign(batch);
        return TrySendAsync(database, batch);
    }
}
