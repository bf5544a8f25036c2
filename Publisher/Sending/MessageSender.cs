using System.Globalization;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using PubSubDemo.Shared.Configuration;
using PubSubDemo.Shared.Contract;
using StackExchange.Redis;

namespace PubSubDemo.Publisher.Sending;

/// <summary>
/// Sends what the generator created, in batches, to the channel, queue and stream that PATTERN names.
/// A part that fails is retried with backoff, with the same bytes, until it succeeds or shutdown's
/// drain deadline passes; then the message is logged as not sent, never dropped silently.
/// </summary>
internal sealed partial class MessageSender(
    MessagingSettings messaging,
    PublisherSettings settings,
    PublisherStats stats,
    TimeProvider time,
    ILogger<MessageSender> logger)
{
    private const int MaxBatchesInFlight = 8;
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);

    private readonly RedisChannel _channel = RedisChannel.Literal(messaging.Channel);
    private readonly RedisValue _channelName = messaging.Channel;
    private readonly RedisChannel _queueDoorbell = RedisChannel.Literal(KeyNames.Doorbell(messaging.Queue));
    private readonly RedisChannel _streamDoorbell = RedisChannel.Literal(KeyNames.Doorbell(messaging.Stream));
    private readonly RedisKey _queue = messaging.Queue;
    private readonly RedisKey _stream = messaging.Stream;

    /// <summary>Stream trimming: STREAM_MAXLEN, approximate so XADD stays O(1).</summary>
    public long? StreamMaxLength { get; init; }

    /// <summary>Reads <paramref name="source"/> until it completes; <paramref name="drain"/> cancels retries at the shutdown deadline.</summary>
    public async Task RunAsync(IDatabase database, ChannelReader<OutgoingMessage> source, SemaphoreSlim capacity, CancellationToken drain)
    {
        var inFlight = new List<Task>(MaxBatchesInFlight);
        while (await source.WaitToReadAsync(CancellationToken.None))
        {
            var batch = new List<OutgoingMessage>(Math.Min(settings.BatchSize, 64));
            while (batch.Count < settings.BatchSize && source.TryRead(out var message))
            {
                batch.Add(message);
            }

            if (inFlight.Count >= MaxBatchesInFlight)
            {
                var done = await Task.WhenAny(inFlight);
                inFlight.Remove(done);
            }

            inFlight.Add(SendBatchAsync(database, batch, capacity, drain));
        }

        await Task.WhenAll(inFlight);
    }

    private async Task SendBatchAsync(IDatabase database, List<OutgoingMessage> batch, SemaphoreSlim capacity, CancellationToken drain)
    {
        var backoff = TimeSpan.FromMilliseconds(100);
        try
        {
            while (true)
            {
                var failure = await TrySendAsync(database, batch);
                if (failure is null)
                {
                    stats.LastPayloadBytes = batch[^1].Payload.Length();
                    stats.OnSent(batch.Count, time.GetUtcNow());
                    return;
                }

                stats.OnRetry();
                if (drain.IsCancellationRequested)
                {
                    stats.OnUnsent(batch.Count);
                    LogUnsent(batch.Count, batch[0].Message.Id, batch[^1].Message.Id, failure.Message);
                    return;
                }

                LogRetry(batch.Count, batch[0].Message.Id, DurationParser.Format(backoff), failure.GetBaseException().Message);
                try
                {
                    await Task.Delay(backoff, time, drain);
                }
                catch (OperationCanceledException)
                {
                    // The drain deadline passed while waiting: one last try above, then give up loudly.
                }

                backoff = backoff * 2 > MaxBackoff ? MaxBackoff : backoff * 2;
            }
        }
        finally
        {
            capacity.Release(batch.Count);
        }
    }

    /// <summary>Sends every part not yet done; returns the first failure, or null when all parts are done.</summary>
    private async Task<Exception?> TrySendAsync(IDatabase database, List<OutgoingMessage> batch)
    {
        // Every part goes out before any reply is awaited, so the parts share one round trip.
        List<OutgoingMessage>? toPublish = null;
        List<OutgoingMessage>? toPush = null;
        List<OutgoingMessage>? toAdd = null;
        Task<RedisResult>? publishMany = null;
        Task<long>? publishOne = null;
        Task<long>? push = null;
        Task<RedisResult>? addMany = null;
        Task<RedisValue>? addOne = null;

        if (messaging.Uses(Pattern.PubSub) && Pending(batch, static m => m.PublishedToChannel) is { } publish)
        {
            toPublish = publish;
            if (publish.Count == 1)
            {
                publishOne = database.PublishAsync(_channel, publish[0].Payload);
            }
            else
            {
                publishMany = database.ScriptEvaluateAsync(SendScripts.PublishMany, values: Arguments(publish, _channelName));
            }
        }

        if (messaging.Uses(Pattern.Queue) && Pending(batch, static m => m.PushedToQueue) is { } pushes)
        {
            toPush = pushes;
            push = database.ListRightPushAsync(_queue, Arguments(pushes));
        }

        if (messaging.Uses(Pattern.Stream) && Pending(batch, static m => m.AddedToStream) is { } adds)
        {
            toAdd = adds;
            if (adds.Count == 1)
            {
                var entry = new NameValueEntry[] { new(KeyNames.StreamField, adds[0].Payload) };
                addOne = database.StreamAddAsync(_stream, entry, maxLength: StreamMaxLength, useApproximateMaxLength: StreamMaxLength is not null);
            }
            else
            {
                addMany = database.ScriptEvaluateAsync(SendScripts.AddMany, [_stream], Arguments(adds, StreamMaxLength?.ToString(CultureInfo.InvariantCulture) ?? "", KeyNames.StreamField));
            }
        }

        Exception? failure = null;
        if (toPublish is not null)
        {
            try
            {
                if (publishOne is not null)
                {
                    OnPublished(toPublish[0], await publishOne);
                }
                else
                {
                    var receivers = (long[])(await publishMany!)!;
                    for (var i = 0; i < toPublish.Count; i++)
                    {
                        OnPublished(toPublish[i], receivers[i]);
                    }
                }
            }
            catch (Exception ex) when (IsTransient(ex))
            {
                failure ??= ex;
            }
        }

        if (toPush is not null)
        {
            try
            {
                var length = await push!;
                foreach (var message in toPush)
                {
                    message.PushedToQueue = true;
                }

                stats.LastQueueLength = length;
                database.Publish(_queueDoorbell, RedisValue.EmptyString, CommandFlags.FireAndForget);
                if (settings.LogMessages)
                {
                    for (var i = 0; i < toPush.Count; i++)
                    {
                        LogPushed(messaging.Queue, length - toPush.Count + i + 1, toPush[i].Message.Content, toPush[i].Message.Id);
                    }
                }
            }
            catch (Exception ex) when (IsTransient(ex))
            {
                failure ??= ex;
            }
        }

        if (toAdd is not null)
        {
            try
            {
                var ids = addOne is not null ? [await addOne] : (RedisValue[])(await addMany!)!;
                for (var i = 0; i < toAdd.Count; i++)
                {
                    toAdd[i].AddedToStream = true;
                    if (settings.LogMessages)
                    {
                        LogAdded(messaging.Stream, ids[i].ToString(), toAdd[i].Message.Content, toAdd[i].Message.Id);
                    }
                }

                database.Publish(_streamDoorbell, RedisValue.EmptyString, CommandFlags.FireAndForget);
            }
            catch (Exception ex) when (IsTransient(ex))
            {
                failure ??= ex;
            }
        }

        return failure;
    }

    private void OnPublished(OutgoingMessage message, long receivers)
    {
        message.PublishedToChannel = true;
        stats.LastReceivers = receivers;
        if (settings.LogMessages)
        {
            LogPublished(messaging.Channel, receivers, message.Message.Content, message.Message.Id);
        }
    }

    /// <summary>The messages of <paramref name="batch"/> that this part has not taken yet; null when none are left.</summary>
    private static List<OutgoingMessage>? Pending(List<OutgoingMessage> batch, Func<OutgoingMessage, bool> done)
    {
        var firstPending = batch.FindIndex(m => !done(m));
        if (firstPending < 0)
        {
            return null;
        }

        if (firstPending == 0 && !batch.Exists(m => done(m)))
        {
            return batch;
        }

        return batch.FindAll(m => !done(m));
    }

    /// <summary>Script arguments: the leading values, then every payload.</summary>
    private static RedisValue[] Arguments(List<OutgoingMessage> messages, params ReadOnlySpan<RedisValue> leading)
    {
        var values = new RedisValue[leading.Length + messages.Count];
        leading.CopyTo(values);
        for (var i = 0; i < messages.Count; i++)
        {
            values[leading.Length + i] = messages[i].Payload;
        }

        return values;
    }

    private static bool IsTransient(Exception ex) => ex is RedisConnectionException or RedisTimeoutException or TimeoutException
        || (ex is RedisServerException server && (server.Message.StartsWith("LOADING", StringComparison.Ordinal) || server.Message.StartsWith("BUSY", StringComparison.Ordinal) || server.Message.StartsWith("READONLY", StringComparison.Ordinal)));

    [LoggerMessage(2001, LogLevel.Information, "Published to channel '{Channel}' ({Receivers} subscribers): {Content} (ID: {Id})")]
    private partial void LogPublished(string channel, long receivers, string content, string id);

    [LoggerMessage(2002, LogLevel.Information, "Pushed to queue '{Queue}' (length: {Length}): {Content} (ID: {Id})")]
    private partial void LogPushed(string queue, long length, string content, string id);

    [LoggerMessage(2003, LogLevel.Information, "Added to stream '{Stream}' (entry {EntryId}): {Content} (ID: {Id})")]
    private partial void LogAdded(string stream, string entryId, string content, string id);

    [LoggerMessage(2004, LogLevel.Warning, "Could not send {Count} messages from {FirstId} on: {Reason}; retrying in {Backoff} with the same ids")]
    private partial void LogRetry(int count, string firstId, string backoff, string reason);

    [LoggerMessage(2005, LogLevel.Error, "Gave up on {Count} messages ({FirstId} .. {LastId}) at shutdown: the server did not take them ({Reason})")]
    private partial void LogUnsent(int count, string firstId, string lastId, string reason);
}
