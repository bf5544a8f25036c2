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
                    stats.OnSent(batch.Count);
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
        var publishes = new List<(OutgoingMessage Message, Task<long> Receivers)>();
        var streamAdds = new List<(OutgoingMessage Message, Task<RedisValue> Id)>();
        Task<long>? push = null;
        List<OutgoingMessage>? toPush = null;

        if (messaging.Uses(Pattern.PubSub))
        {
            foreach (var message in batch.Where(m => !m.PublishedToChannel))
            {
                publishes.Add((message, database.PublishAsync(_channel, message.Payload)));
            }
        }

        if (messaging.Uses(Pattern.Queue))
        {
            toPush = batch.Where(m => !m.PushedToQueue).ToList();
            if (toPush.Count > 0)
            {
                push = database.ListRightPushAsync(_queue, toPush.Select(m => m.Payload).ToArray());
            }
        }

        if (messaging.Uses(Pattern.Stream))
        {
            foreach (var message in batch.Where(m => !m.AddedToStream))
            {
                var entry = new NameValueEntry[] { new(KeyNames.StreamField, message.Payload) };
                streamAdds.Add((message, database.StreamAddAsync(_stream, entry, maxLength: StreamMaxLength, useApproximateMaxLength: StreamMaxLength is not null)));
            }
        }

        Exception? failure = null;
        foreach (var (message, receivers) in publishes)
        {
            try
            {
                var count = await receivers;
                message.PublishedToChannel = true;
                stats.LastReceivers = count;
                if (settings.LogMessages)
                {
                    LogPublished(messaging.Channel, count, message.Message.Content, message.Message.Id);
                }
            }
            catch (Exception ex) when (IsTransient(ex))
            {
                failure ??= ex;
            }
        }

        if (push is not null)
        {
            try
            {
                var length = await push;
                foreach (var message in toPush!)
                {
                    message.PushedToQueue = true;
                }

                stats.LastQueueLength = length;
                database.Publish(_queueDoorbell, RedisValue.EmptyString, CommandFlags.FireAndForget);
                if (settings.LogMessages)
                {
                    foreach (var message in toPush)
                    {
                        LogPushed(messaging.Queue, length - toPush.Count + toPush.IndexOf(message) + 1, message.Message.Content, message.Message.Id);
                    }
                }
            }
            catch (Exception ex) when (IsTransient(ex))
            {
                failure ??= ex;
            }
        }

        var added = false;
        foreach (var (message, id) in streamAdds)
        {
            try
            {
                var entryId = await id;
                message.AddedToStream = true;
                added = true;
                if (settings.LogMessages)
                {
                    LogAdded(messaging.Stream, entryId.ToString(), message.Message.Content, message.Message.Id);
                }
            }
            catch (Exception ex) when (IsTransient(ex))
            {
                failure ??= ex;
            }
        }

        if (added)
        {
            database.Publish(_streamDoorbell, RedisValue.EmptyString, CommandFlags.FireAndForget);
        }

        return failure;
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
