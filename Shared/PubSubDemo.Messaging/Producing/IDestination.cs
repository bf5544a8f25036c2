using StackExchange.Redis;

namespace PubSubDemo.Messaging.Producing;

/// <summary>One place a batch goes: the channel, the queue or the stream (a partition would be one more).</summary>
internal interface IDestination
{
    /// <summary>
    /// Sends the messages of <paramref name="batch"/> that this destination has not taken yet and marks those it took.
    /// Its commands are on the wire when it returns (before its first await), so the sender can start every destination
    /// and only then wait for the replies: one round trip for all. Completes with null when every message was taken,
    /// or with the failure to retry (a transient server error, or a refused script after which it falls back).
    /// </summary>
    Task<Exception?> SendAsync(IDatabase database, List<OutgoingMessage> batch);
}
