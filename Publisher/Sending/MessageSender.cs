using System.Globalization;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using PubSubDemo.Publisher.Cluster;
using PubSubDemo.Shared.Cluster;
using PubSubDemo.Shared.Configuration;
using PubSubDemo.Shared.Connection;
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

    private readonly RedisChannel _channel = PubSubChannels.For(messaging, messaging.Channel);
    private readonly RedisValue _channelName = messaging.Channel;
    private readonly RedisChannel _queueDoorbell = PubSubChannels.Doorbell(messaging, messaging.Queue);
    private readonly RedisChannel _streamDoorbell = PubSubChannels.Doorbell(messaging, messaging.Stream);
    private readonly RedisKey _queue = messaging.Queue;
    private readonly RedisKey _stream = messaging.Stream;
    private volatile bool _scriptsUnavailable;

    /// <summary>Stream trimming: STREAM_MAXLEN, approximate so XADD stays O(1).</summary>
    public long? StreamMaxLength { get; init; }

    /// <summary>
    /// Reads <paramref name="source"/> until it completes, with up to <see cref="MaxBatchesInFlight"/> batches on the wire
    /// at once; <paramref name="drain"/> cancels retries at the shutdown deadline.
    /// </summary>
    public async Task RunAsync(IDatabase database, ChannelReader<OutgoingMessage> source, SemaphoreSlim capacity, CancellationToken drain)
    {
        var inFlight = new Queue<(List<OutgoingMessage> Batch, Task<Exception?> Attempt)>(MaxBatchesInFlight);
        while (await source.WaitToReadAsync(CancellationToken.None))
        {
            var batch = new List<OutgoingMessage>(Math.Min(settings.BatchSize, 64));
            while (batch.Count < settings.BatchSize && source.TryRead(out var message))
            {
                batch.Add(message);
            }

            if (inFlight.Count >= MaxBatchesInFlight)
            {
                await SettleOldestAsync(database, inFlight, capacity, drain);
            }

            inFlight.Enqueue((batch, TrySendAsync(database, batch)));
        }

        while (inFlight.Count > 0)
        {
            await SettleOldestAsync(database, inFlight, capacity, drain);
        }
    }

    /// <summary>
    /// Completes the oldest batch. When its first attempt failed, nothing new is sent until it and every later batch
    /// in flight have gone through, retried oldest first, so that messages reach the server in publish order.
    /// (The connection fails fast while it is down, so later batches in flight fail with it rather than overtake.)
    /// </summary>
    private async Task SettleOldestAsync(IDatabase database, Queue<(List<OutgoingMessage> Batch, Task<Exception?> Attempt)> inFlight, SemaphoreSlim capacity, CancellationToken drain)
    {
        var (oldest, attempt) = inFlight.Dequeue();
        var failure = await attempt;
        if (failure is null)
        {
            Complete(oldest, capacity);
            return;
        }

        var failed = new List<(List<OutgoingMessage> Batch, Exception? Failure)> { (oldest, failure) };
        while (inFlight.Count > 0)
        {
            var (batch, later) = inFlight.Dequeue();
            failed.Add((batch, await later));
        }

        foreach (var (batch, firstFailure) in failed)
        {
            if (firstFailure is null)
            {
                Complete(batch, capacity);
            }
            else
            {
                await RetryUntilSentAsync(database, batch, firstFailure, capacity, drain);
            }
        }
    }

    private async Task RetryUntilSentAsync(IDatabase database, List<OutgoingMessage> batch, Exception failure, SemaphoreSlim capacity, CancellationToken drain)
    {
        var backoff = new Backoff(TimeSpan.FromMilliseconds(100), MaxBackoff);
        while (true)
        {
            stats.OnRetry();
            if (drain.IsCancellationRequested)
            {
                stats.OnUnsent(batch.Count);
                capacity.Release(batch.Count);
                LogUnsent(batch.Count, batch[0].Message.Id, batch[^1].Message.Id, failure.GetBaseException().Message);
                return;
            }

            var pause = backoff.Next();
            LogRetry(batch.Count, batch[0].Message.Id, DurationParser.Format(pause), failure.GetBaseException().Message);
            try
            {
                await Task.Delay(pause, time, drain);
            }
            catch (OperationCanceledException)
            {
                // The drain deadline passed while waiting: one last try below, then give up loudly.
            }

            if (await TrySendAsync(database, batch) is not { } next)
            {
                Complete(batch, capacity);
                return;
            }

            failure = next;
        }
    }

    private void Complete(List<OutgoingMessage> batch, SemaphoreSlim capacity)
    {
        stats.LastPayloadBytes = batch[^1].Payload.Length();
        stats.OnSent(batch.Count, time.GetUtcNow());
        capacity.Release(batch.Count);
    }

    /// <summary>Sends every part not yet done; returns the first failure, or null when all parts are done.</summary>
    private async Task<Exception?> TrySendAsync(IDatabase database, List<OutgoingMessage> batch)
    {
        // Every part goes out before any reply is awaited, so the parts share one round trip.
        List<OutgoingMessage>? toPublish = null;
        List<OutgoingMessage>? toPush = null;
        List<OutgoingMessage>? toAdd = null;
        Task<RedisResult>? publishMany = null;
        Task<long>[]? publishEach = null;
        Task<long>? push = null;
        Task<RedisResult>? addMany = null;
        Task<RedisValue>[]? addEach = null;

        if (messaging.Uses(Pattern.PubSub) && Pending(batch, static m => m.PublishedToChannel) is { } publish)
        {
            toPublish = publish;
            if (publish.Count == 1 || _scriptsUnavailable)
            {
                publishEach = publish.Select(m => database.PublishAsync(_channel, m.Payload)).ToArray();
            }
            else
            {
                publishMany = BatchPublish.EvaluateAsync(database, messaging, Arguments(publish, _channelName));
            }
        }

        if (messaging.Uses(Pattern.Queue) && Pending(batch, static m => m.PushedToQueue) is { } pushes)
        {
            toPush = pushes;
            push = database.ListRightPushAsync(_queue, Arguments(pushes));

            // Rung right behind the push on the same connection, so the server runs the push first and an idle
            // consumer wakes one round trip sooner than if we waited for the push's reply. A ring for a push that
            // then fails only makes a consumer look at an empty queue.
            database.Publish(_queueDoorbell, RedisValue.EmptyString, CommandFlags.FireAndForget);
        }

        if (messaging.Uses(Pattern.Stream) && Pending(batch, static m => m.AddedToStream) is { } adds)
        {
            toAdd = adds;
            if (adds.Count == 1 || _scriptsUnavailable)
            {
                addEach = adds.Select(m => database.StreamAddAsync(_stream, [new(KeyNames.StreamField, m.Payload)], maxLength: StreamMaxLength, useApproximateMaxLength: StreamMaxLength is not null)).ToArray();
            }
            else
            {
                addMany = database.ScriptEvaluateAsync(SendScripts.AddMany, [_stream], Arguments(adds, StreamMaxLength?.ToString(CultureInfo.InvariantCulture) ?? "", KeyNames.StreamField));
            }

            database.Publish(_streamDoorbell, RedisValue.EmptyString, CommandFlags.FireAndForget);
        }

        Exception? failure = null;
        if (toPublish is not null)
        {
            try
            {
                if (publishEach is not null)
                {
                    for (var i = 0; i < toPublish.Count; i++)
                    {
                        OnPublished(toPublish[i], await publishEach[i]);
                    }
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
            catch (Exception ex) when (RedisErrors.IsTransient(ex))
            {
                failure ??= ex;
            }
            catch (RedisServerException ex) when (publishMany is not null)
            {
                failure ??= ScriptsUnavailable(ex);
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
                if (settings.LogMessages)
                {
                    for (var i = 0; i < toPush.Count; i++)
                    {
                        LogPushed(messaging.Queue, length - toPush.Count + i + 1, toPush[i].Message.Content, toPush[i].Message.Id);
                    }
                }
            }
            catch (Exception ex) when (RedisErrors.IsTransient(ex))
            {
                failure ??= ex;
            }
        }

        if (toAdd is not null)
        {
            try
            {
                var ids = addEach is not null ? await Task.WhenAll(addEach) : (RedisValue[])(await addMany!)!;
                for (var i = 0; i < toAdd.Count; i++)
                {
                    toAdd[i].AddedToStream = true;
                    if (settings.LogMessages)
                    {
                        LogAdded(messaging.Stream, ids[i].ToString(), toAdd[i].Message.Content, toAdd[i].Message.Id);
                    }
                }
            }
            catch (Exception ex) when (RedisErrors.IsTransient(ex))
            {
                failure ??= ex;
            }
            catch (RedisServerException ex) when (addMany is not null)
            {
                failure ??= ScriptsUnavailable(ex);
            }
        }

        return failure;
    }

    /// <summary>
    /// A server that refuses the batch scripts (scripting disabled, or a command not allowed in scripts) gets one
    /// command per message from then on; the batch is retried that way with the same ids.
    /// </summary>
    private RedisServerException ScriptsUnavailable(RedisServerException ex)
    {
        if (!_scriptsUnavailable)
        {
            _scriptsUnavailable = true;
            LogScriptsUnavailable(ex.Message);
        }

        return ex;
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


    [LoggerMessage(2001, LogLevel.Information, "Published to channel '{Channel}' ({Receivers} subscribers): {Content} (ID: {Id})")]
    private partial void LogPublished(string channel, long receivers, string content, string id);

    [LoggerMessage(2002, LogLevel.Information, "Pushed to queue '{Queue}' (length: {Length}): {Content} (ID: {Id})")]
    private partial void LogPushed(string queue, long length, string content, string id);

    [LoggerMessage(2003, LogLevel.Information, "Added to stream '{Stream}' (entry {EntryId}): {Content} (ID: {Id})")]
    private partial void LogAdded(string stream, string entryId, string content, string id);

    [LoggerMessage(2006, LogLevel.Warning, "The server refused a batch script ({Reason}): sending one command per message from now on")]
    private partial void LogScriptsUnavailable(string reason);

    [LoggerMessage(2004, LogLevel.Warning, "Could not send {Count} messages from {FirstId} on: {Reason}; retrying in {Backoff} with the same ids")]
    private partial void LogRetry(int count, string firstId, string backoff, string reason);

    [LoggerMessage(2005, LogLevel.Error, "Gave up on {Count} messages ({FirstId} .. {LastId}) at shutdown: the server did not take them ({Reason})")]
    private partial void LogUnsent(int count, string firstId, string lastId, string reason);
}
