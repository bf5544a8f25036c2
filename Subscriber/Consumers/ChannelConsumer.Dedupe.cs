using Microsoft.Extensions.Logging;
using PubSubDemo.Shared.Connection;
using PubSubDemo.Subscriber.Processing;
using StackExchange.Redis;

namespace PubSubDemo.Subscriber.Consumers;

/// <summary>
/// The channel's path through DEDUPE: one lookup of the message's marker, the handler, then one script that commits
/// its effects with the marker (a channel message has nothing to acknowledge). The server being away is waited for
/// with backoff (the client buffers what arrives meanwhile, up to CHANNEL_BUFFER), so no marker or effect is skipped.
/// </summary>
internal sealed partial class ChannelConsumer
{
    private readonly Dedupe.Deduplicator _dedupe = services.Dedupe;

    private async Task HandleAsync(IDatabase database, RedisValue payload, CancellationToken retryToken)
    {
        if (!_dedupe.Enabled)
        {
            await _processor.ProcessAsync(MessageSource.Channel, (ReadOnlyMemory<byte>)payload, CancellationToken.None);
            return;
        }

        Dedupe.DedupeBatch? batch = null;
        await RedisErrors.RetryAsync(
            async () => batch = await _dedupe.CheckAsync(database, MessageSource.Channel, _messaging.Channel, [payload]),
            (reason, _) => LogDedupeRetry(reason),
            _time,
            retryToken);
        var result = await batch!.ProcessAsync(_processor, 0, payload);
        await RedisErrors.RetryAsync(
            () => batch.CommitAsync(database, _processor, null, "none", "", [(0, RedisValue.EmptyString, result)]),
            (reason, _) => LogDedupeRetry(reason),
            _time,
            retryToken);
    }

    [LoggerMessage(3106, LogLevel.Warning, "Could not reach the DEDUPE markers yet: {Reason}; retrying")]
    private partial void LogDedupeRetry(string reason);
}
