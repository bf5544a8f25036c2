using Microsoft.Extensions.Logging;
using PubSubDemo.Messaging.Connection;
using PubSubDemo.Messaging.Processing;
using StackExchange.Redis;

namespace PubSubDemo.Messaging.Consumers;

/// <summary>
/// The channel's path through DEDUPE: one lookup of the message's marker, the handler, then one script that commits
/// its effects with the marker (a channel message has nothing to acknowledge). The server being away is waited for
/// with backoff (the client buffers what arrives meanwhile, up to CHANNEL_BUFFER), so no marker or effect is skipped.
/// </summary>
internal sealed partial class ChannelConsumer
{
    private readonly Dedupe.Deduplicator _dedupe = services.Dedupe;

    private async Task<ProcessResult> ProcessAsync(IDatabase database, ChannelMessage message, string channel, CancellationToken retryToken)
    {
        var delivery = Delivery.Of(MessageSource.Channel, (ReadOnlyMemory<byte>)message.Message, _messaging, channel: channel);
        if (!_dedupe.Enabled)
        {
            return await _processor.ProcessAsync(delivery, CancellationToken.None);
        }

        // Markers are kept per channel the message came on (a glob's channels each have their own).
        var came = message.Channel.ToString();
        Dedupe.DedupeBatch? batch = null;
        await RedisErrors.RetryAsync(
            async () => batch = await _dedupe.BeginAsync(database, came, [delivery]),
            (reason, _) => LogDedupeRetry(reason),
            _time,
            retryToken);
        var result = await batch!.ProcessAsync(_processor, 0);
        await RedisErrors.RetryAsync(
            () => batch.CommitAsync(database, _processor, null, "none", "", [(0, RedisValue.EmptyString, result)]),
            (reason, _) => LogDedupeRetry(reason),
            _time,
            retryToken);
        return result;
    }

    [LoggerMessage(3107, LogLevel.Warning, "Could not reach the DEDUPE markers yet: {Reason}; retrying")]
    private partial void LogDedupeRetry(string reason);
}
