using Microsoft.Extensions.Logging;
using PubSubDemo.Messaging.Cluster;
using PubSubDemo.Messaging.Connection;
using PubSubDemo.Messaging.Configuration;
using PubSubDemo.Messaging.Contract;
using PubSubDemo.Messaging.Processing;
using PubSubDemo.Messaging.Retries;
using StackExchange.Redis;

namespace PubSubDemo.Messaging.Consumers;

/// <summary>
/// The work queue, at least once: each item goes to one consumer. Items move atomically into this
/// consumer's processing list (up to BATCH_SIZE per round trip) and leave it only once handled or set aside.
/// A heartbeat key marks this consumer alive; the items of a consumer whose heartbeat expired go back to the queue.
/// </summary>
internal sealed partial class QueueConsumer(ConsumerServices services, ILogger<QueueConsumer> logger) : DoorbellConsumer(
    services,
    new DoorbellLog(
        SubscribeRetry: (reason, _) => LogRetry(logger, "subscribe to the doorbell", reason),
        ServerError: (reason, pause) => LogServerError(logger, reason, DurationParser.Format(pause))))
{
    private readonly QueueSettlement _settlement = new(services);
    private readonly Partition[] _partitions = [.. services.Messaging.QueuePartitions.Select(q => new Partition(q, services.Consumer))];

    protected override string LoopName => nameof(QueueConsumer);

    protected override IReadOnlyList<string> Partitions => Services.Messaging.QueuePartitions;

    protected override TimeSpan IdleWait => Services.Settings.IdlePoll;

    protected override async Task PrepareAsync(IDatabase database, CancellationToken stoppingToken)
    {
        await RedisErrors.RetryAsync(() => BeatAsync(database), (reason, _) => LogRetry(logger, "register the consumer", reason), Services.Time, stoppingToken);
        LogStarted(Services.Messaging.Queue, Services.Consumer, Services.Settings.BatchSize, _partitions.Length);
        Services.Readiness.Consuming(MessagingReadiness.Queue(Services.Messaging.Queue));
    }

    /// <summary>
    /// Items left in our processing list: a restart under the same CONSUMER_NAME, or a take whose reply was lost
    /// with the connection. Ours to finish first.
    /// </summary>
    protected override async Task RecoverAsync(IDatabase database, int partition, CancellationToken stoppingToken)
    {
        var leftovers = await database.ListRangeAsync(_partitions[partition].Processing);
        if (leftovers.Length > 0)
        {
            LogLeftovers(leftovers.Length, _partitions[partition].Name);
            await HandleAsync(database, partition, leftovers, stoppingToken);
        }
    }

    /// <summary>
    /// Idle, this consumer holds no batch, so its processing list must be empty: anything there was moved in by a take
    /// that ran on the server while its reply was lost (a time-out, a reconnect, a frozen server; the recovery that
    /// followed may have looked before the take ran). Nobody else would touch it while our heartbeat lives: handled now.
    /// </summary>
    protected override async Task SweepAsync(IDatabase database, int partition, CancellationToken stoppingToken)
    {
        var orphans = await database.ListRangeAsync(_partitions[partition].Processing);
        if (orphans.Length > 0)
        {
            LogOrphans(orphans.Length, _partitions[partition].Name);
            await HandleAsync(database, partition, orphans, stoppingToken);
        }
    }

    protected override async Task<bool> TakeAsync(IDatabase database, int partition, CancellationToken stoppingToken)
    {
        var keys = _partitions[partition];
        var count = await Services.Rate.TakeAsync(Services.Settings.BatchSize, stoppingToken);
        var now = Due.Now;
        RedisValue[] items;
        if (Due.ShouldLook(partition, now))
        {
            // The same one round trip, which also takes what became due in the due set (retries, delayed messages).
            var reply = (RedisResult[])(await database.ScriptEvaluateAsync(DueScripts.TakeQueue, [keys.Queue, keys.Processing, keys.Due], [count, now]))!;
            Due.Looked(partition, now, ScriptReplies.Score(reply[0]));
            items = ScriptReplies.Values(reply[1]);
        }
        else
        {
            items = ScriptReplies.Values(await database.ScriptEvaluateAsync(QueueScripts.Take, [keys.Queue, keys.Processing], [count]));
        }

        if (items.Length == 0)
        {
            return false;
        }

        await HandleAsync(database, partition, items, stoppingToken);

        // Fewer than asked for: the queue had no more, so only a doorbell (or IDLE_POLL, or a due item) needs another take.
        return items.Length >= count;
    }

    /// <summary>
    /// Handles items in processing-list order and settles them. On shutdown it stops after the item in
    /// hand; what is left stays in the processing list and goes back to the queue.
    /// </summary>
    private async Task HandleAsync(IDatabase database, int partition, RedisValue[] stored, CancellationToken stoppingToken)
    {
        var keys = _partitions[partition];
        var items = Array.ConvertAll(stored, QueueDueMember.Entry);
        var batch = await Services.Dedupe.BeginAsync(database, keys.Name, [.. items.Select(i => Delivery.Of(MessageSource.Queue, i.Payload, Services.Messaging, (int)i.Attempt, partition))]);
        var results = new List<(QueueEntry Item, ProcessResult Result)>(items.Length);
        foreach (var item in items)
        {
            if (stoppingToken.IsCancellationRequested && results.Count > 0)
            {
                break;
            }

            results.Add((item, await batch.ProcessAsync(Services.Processor, results.Count)));
        }

        if (batch.Active)
        {
            // The handled and the duplicates leave the processing list in the script that commits their effects and markers.
            var rest = await batch.CommitAsync(database, Services.Processor, keys.Processing, "queue", "", [.. results.Select((r, i) => (i, r.Item.Stored, r.Result))]);
            results = [.. rest.Select(r => (items[r.Index], r.Result))];
            if (results.Count == 0)
            {
                return;
            }
        }

        foreach (var (id, attempts) in await _settlement.SettleAsync(database, keys.Name, keys.Processing, Services.Consumer, results, due => Due.Scheduled(partition, due)))
        {
            LogDeadLettered(id, attempts);
        }
    }

    /// <summary>Hands our unsettled items back to each partition and rings for the others.</summary>
    protected override async Task FinishAsync(IDatabase database, ISubscriber subscriber)
    {
        try
        {
            await StopBlockingAsync();
            long returned = 0;
            for (var partition = 0; partition < _partitions.Length; partition++)
            {
                var keys = _partitions[partition];
                await database.KeyDeleteAsync(keys.Heartbeat);
                var back = (long)await database.ScriptEvaluateAsync(QueueScripts.Return, [keys.Processing, keys.Queue, keys.Heartbeat, keys.Registry, keys.Due], [Services.Consumer, "0"]);
                returned += back;
                if (back > 0)
                {
                    // A courtesy that wakes the other consumers sooner (they also look every IDLE_POLL). Fire and forget:
                    // a least-privilege subscriber may not PUBLISH (see ConsumerAccess), and a refused ring loses nothing.
                    await subscriber.PublishAsync(DoorbellOf(partition), RedisValue.EmptyString, CommandFlags.FireAndForget);
                }
            }

            LogStopped(Services.Consumer, returned);
        }
        catch (Exception ex) when (RedisErrors.IsTransient(ex))
        {
            LogReturnFailed(ex.GetBaseException().Message, Services.Settings.HeartbeatTtl.TotalSeconds);
        }
    }

    /// <summary>The keys of one partition, as this consumer uses them: all in the partition's slot.</summary>
    private sealed record Partition(string Name, string Consumer)
    {
        public RedisKey Queue { get; } = Name;

        public RedisKey Processing { get; } = KeyNames.Processing(Name, Consumer);

        public RedisKey Heartbeat { get; } = KeyNames.Heartbeat(Name, Consumer);

        public RedisKey Registry { get; } = KeyNames.Consumers(Name);

        public RedisKey Due { get; } = KeyNames.Due(Name);
    }

    [LoggerMessage(3201, LogLevel.Information, "Consuming queue '{Queue}' as {Consumer} (batches of up to {BatchSize}, at least once; {Partitions} partitions)")]
    private partial void LogStarted(string queue, string consumer, int batchSize, int partitions);

    [LoggerMessage(3202, LogLevel.Information, "Finishing {Count} items left in our processing list of '{Queue}' first")]
    private partial void LogLeftovers(int count, string queue);

    [LoggerMessage(3210, LogLevel.Warning, "Found {Count} items in our processing list of '{Queue}' with no batch in hand (a take whose reply was lost); handling them now")]
    private partial void LogOrphans(int count, string queue);

    [LoggerMessage(3204, LogLevel.Warning, "Queue message {Id} failed {Attempts} times: moved to the dead-letter list")]
    private partial void LogDeadLettered(string id, long attempts);

    [LoggerMessage(3205, LogLevel.Warning, "Queue unavailable: {Reason}; retrying in {Backoff}")]
    private static partial void LogServerError(ILogger logger, string reason, string backoff);

    [LoggerMessage(3206, LogLevel.Information, "Stopped consuming as {Consumer}: {Returned} unhandled items returned to the queue")]
    private partial void LogStopped(string consumer, long returned);

    [LoggerMessage(3207, LogLevel.Warning, "Could not return in-flight items at shutdown ({Reason}); other consumers will reclaim them {TtlSeconds}s after our heartbeat stops")]
    private partial void LogReturnFailed(string reason, double ttlSeconds);

    [LoggerMessage(3208, LogLevel.Warning, "Could not {What} yet: {Reason}; retrying")]
    private static partial void LogRetry(ILogger logger, string what, string reason);
}
