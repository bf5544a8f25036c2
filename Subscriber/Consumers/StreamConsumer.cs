using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PubSubDemo.Shared.Cluster;
using PubSubDemo.Shared.Configuration;
using PubSubDemo.Shared.Connection;
using PubSubDemo.Shared.Observability;
using PubSubDemo.Shared.Contract;
using PubSubDemo.Subscriber.Processing;
using PubSubDemo.Subscriber.Stats;
using StackExchange.Redis;

namespace PubSubDemo.Subscriber.Consumers;

/// <summary>
/// Redis Streams with a consumer group, at least once: XREADGROUP in batches, XACK once handled,
/// XAUTOCLAIM of entries left pending by dead consumers, dead-lettering by delivery count. Like the queue,
/// it waits on a doorbell rather than XREADGROUP BLOCK, which would stall the shared multiplexer.
/// </summary>
internal sealed partial class StreamConsumer(
    RedisConnection connection,
    MessagingSettings messaging,
    SubscriberSettings settings,
    SubscriberStats stats,
    MessageProcessor processor,
    TimeProvider time,
    LoopHeartbeat heartbeat,
    ILogger<StreamConsumer> logger) : BackgroundService
{
    private readonly string _consumer = settings.ConsumerName.Length > 0 ? settings.ConsumerName : messaging.InstanceName;
    private readonly RedisKey _stream = messaging.Stream;
    private readonly RedisKey _dead = KeyNames.DeadLetters(messaging.Stream);
    private readonly WakeSignal _wake = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (await connection.TryGetAsync(stoppingToken) is not { } multiplexer)
        {
            return;
        }

        var database = multiplexer.GetDatabase();
        var subscriber = multiplexer.GetSubscriber();
        var doorbell = PubSubChannels.Doorbell(messaging, messaging.Stream);
        var recover = true;
        void OnRestored()
        {
            recover = true;
            _wake.Set();
        }

        connection.Restored += OnRestored;
        var nextClaim = time.GetTimestamp();
        var backoff = new Backoff();
        var groupReady = false;
        try
        {
            await RedisErrors.RetryAsync(() => subscriber.SubscribeAsync(doorbell, (_, _) => _wake.Set()), (reason, pause) => LogServerError(reason, DurationParser.Format(pause)), time, stoppingToken);
            while (!stoppingToken.IsCancellationRequested)
            {
                heartbeat.Beat(nameof(StreamConsumer));
                try
                {
                    if (!groupReady)
                    {
                        await EnsureGroupAsync(database);
                        groupReady = true;
                        LogStarted(messaging.Stream, messaging.Group, _consumer, settings.StreamStart);
                    }

                    if (recover)
                    {
                        // Entries delivered to us and never acknowledged: ours to finish first.
                        recover = false;
                        StreamEntry[] pending;
                        do
                        {
                            pending = await database.StreamReadGroupAsync(_stream, messaging.Group, _consumer, "0", settings.BatchSize);
                            await HandleAsync(database, pending, stoppingToken);
                        }
                        while (pending.Length == settings.BatchSize && !stoppingToken.IsCancellationRequested);
                    }

                    if (time.GetElapsedTime(nextClaim) >= TimeSpan.Zero)
                    {
                        await ClaimAbandonedAsync(database, stoppingToken);
                        nextClaim = time.GetTimestamp() + (long)(settings.ClaimIdle.TotalSeconds / 2 * time.TimestampFrequency);
                    }

                    var entries = await database.StreamReadGroupAsync(_stream, messaging.Group, _consumer, ">", settings.BatchSize);
                    if (entries.Length == 0)
                    {
                        var wait = settings.IdlePoll < settings.ClaimIdle / 2 ? settings.IdlePoll : settings.ClaimIdle / 2;
                        await _wake.WaitAsync(wait, stoppingToken);
                        continue;
                    }

                    await HandleAsync(database, entries, stoppingToken);
                    backoff.Reset();
                }
                catch (RedisServerException ex) when (ex.Message.StartsWith("NOGROUP", StringComparison.Ordinal))
                {
                    // The server lost the group (restarted without persistence, or someone deleted it).
                    groupReady = false;
                    recover = true;
                    LogGroupMissing(messaging.Group);
                }
                catch (Exception ex) when (RedisErrors.IsTransient(ex))
                {
                    recover = true;
                    var pause = backoff.Next();
                    LogServerError(ex.GetBaseException().Message, DurationParser.Format(pause));
                    await Task.Delay(pause, time, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            connection.Restored -= OnRestored;
            try
            {
                await subscriber.UnsubscribeAsync(doorbell);
                LogStopped(_consumer);
            }
            catch (Exception ex) when (RedisErrors.IsTransient(ex))
            {
            }
        }
    }

    private async Task EnsureGroupAsync(IDatabase database)
    {
        try
        {
            await database.StreamCreateConsumerGroupAsync(_stream, messaging.Group, settings.StreamStart, createStream: true);
            LogGroupCreated(messaging.Group, settings.StreamStart);
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("BUSYGROUP", StringComparison.Ordinal))
        {
            // The group exists: it keeps its own position, whatever STREAM_START says.
        }
    }

    /// <summary>Handles entries in order and acknowledges the handled and the dead-lettered; failures stay pending for a retry by claim.</summary>
    private async Task HandleAsync(IDatabase database, StreamEntry[] entries, CancellationToken stoppingToken, Dictionary<string, int>? deliveries = null)
    {
        var acks = new List<RedisValue>(entries.Length);
        var transaction = database.CreateTransaction();
        var deadLettered = 0;
        foreach (var entry in entries)
        {
            if (stoppingToken.IsCancellationRequested && acks.Count > 0)
            {
                break;
            }

            if (entry.IsNull)
            {
                // Trimmed or deleted while pending: nothing left to handle, so acknowledge it away.
                acks.Add(entry.Id);
                continue;
            }

            var payload = entry[KeyNames.StreamField];

            if (deliveries is not null && deliveries.TryGetValue(entry.Id.ToString(), out var delivered) && delivered > settings.MaxAttempts)
            {
                _ = transaction.ListRightPushAsync(_dead, DeadLetters.Envelope(_consumer, time, payload, $"not handled after {delivered - 1} deliveries", delivered - 1));
                acks.Add(entry.Id);
                deadLettered++;
                LogDeadLettered(entry.Id.ToString(), delivered - 1);
                continue;
            }

            var result = payload.IsNull
                ? new ProcessResult(Disposition.Malformed, $"entry has no '{KeyNames.StreamField}' field")
                : await processor.ProcessAsync(MessageSource.Stream, (ReadOnlyMemory<byte>)payload, CancellationToken.None);
            switch (result.Disposition)
            {
                case Disposition.Handled:
                    acks.Add(entry.Id);
                    break;
                case Disposition.Malformed:
                    if (payload.IsNull)
                    {
                        stats.Stream.OnMalformed();
                    }

                    _ = transaction.ListRightPushAsync(_dead, DeadLetters.Envelope(_consumer, time, payload, result.Reason!, 1));
                    acks.Add(entry.Id);
                    deadLettered++;
                    break;
                case Disposition.Failed:
                    // Left pending: XAUTOCLAIM hands it out again after CLAIM_IDLE, counting deliveries.
                    break;
            }
        }

        if (acks.Count > 0)
        {
            _ = transaction.StreamAcknowledgeAsync(_stream, messaging.Group, acks.ToArray());
            await transaction.ExecuteAsync();
        }

        stats.Stream.OnDeadLettered(deadLettered);
    }

    /// <summary>Takes over entries pending longer than CLAIM_IDLE (their consumer died, or failed them) and handles them.</summary>
    private async Task ClaimAbandonedAsync(IDatabase database, CancellationToken stoppingToken)
    {
        var minIdle = (long)settings.ClaimIdle.TotalMilliseconds;
        RedisValue start = "0-0";
        do
        {
            var claim = await database.StreamAutoClaimAsync(_stream, messaging.Group, _consumer, minIdle, start, settings.BatchSize);
            start = claim.NextStartId;
            if (claim.ClaimedEntries.Length == 0)
            {
                break;
            }

            var first = claim.ClaimedEntries[0].Id;
            var last = claim.ClaimedEntries[^1].Id;
            var pending = await database.StreamPendingMessagesAsync(_stream, messaging.Group, claim.ClaimedEntries.Length, _consumer, first, last);
            var deliveries = pending.ToDictionary(p => p.MessageId.ToString(), p => p.DeliveryCount);
            LogClaimed(claim.ClaimedEntries.Length);
            await HandleAsync(database, claim.ClaimedEntries, stoppingToken, deliveries);
        }
        while (start != "0-0" && !stoppingToken.IsCancellationRequested);
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }

    [LoggerMessage(3301, LogLevel.Information, "Consuming stream '{Stream}' in group '{Group}' as {Consumer} (a new group starts at {Start})")]
    private partial void LogStarted(string stream, string group, string consumer, string start);

    [LoggerMessage(3302, LogLevel.Information, "Created consumer group '{Group}' starting at {Start}")]
    private partial void LogGroupCreated(string group, string start);

    [LoggerMessage(3303, LogLevel.Warning, "Consumer group '{Group}' is missing on the server; recreating it")]
    private partial void LogGroupMissing(string group);

    [LoggerMessage(3304, LogLevel.Information, "Claimed {Count} stream entries left pending by another or a failed delivery")]
    private partial void LogClaimed(int count);

    [LoggerMessage(3305, LogLevel.Warning, "Stream entry {Id} was not handled after {Attempts} deliveries: moved to the dead-letter list")]
    private partial void LogDeadLettered(string id, int attempts);

    [LoggerMessage(3306, LogLevel.Warning, "Stream unavailable: {Reason}; retrying in {Backoff}")]
    private partial void LogServerError(string reason, string backoff);

    [LoggerMessage(3307, LogLevel.Information, "Stopped consuming the stream as {Consumer}")]
    private partial void LogStopped(string consumer);
}
