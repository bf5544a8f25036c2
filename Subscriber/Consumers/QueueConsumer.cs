using Microsoft.Extensions.Logging;
using PubSubDemo.Shared.Cluster;
using PubSubDemo.Shared.Connection;
using PubSubDemo.Shared.Contract;
using PubSubDemo.Subscriber.Processing;
using StackExchange.Redis;

namespace PubSubDemo.Subscriber.Consumers;

/// <summary>
/// The work queue, at least once: each item goes to one consumer. Items move atomically into this
/// consumer's processing list (up to BATCH_SIZE per round trip) and leave it only once handled or set aside.
/// A heartbeat key marks this consumer alive; the items of a consumer whose heartbeat expired go back to the queue.
/// </summary>
internal sealed partial class QueueConsumer(ConsumerServices services, ILogger<QueueConsumer> logger) : DoorbellConsumer(services)
{
    private readonly RedisKey _queue = services.Messaging.Queue;
    private readonly RedisKey _registry = KeyNames.Consumers(services.Messaging.Queue);
    private readonly QueueSettlement _settlement = new(services);
    private RedisKey Processing => KeyNames.Processing(Messaging.Queue, Consumer);
    private RedisKey Heartbeat => KeyNames.Heartbeat(Messaging.Queue, Consumer);

    protected override string LoopName => nameof(QueueConsumer);

    protected override RedisChannel Doorbell { get; } = PubSubChannels.Doorbell(services.Messaging, services.Messaging.Queue);

    protected override TimeSpan IdleWait => Settings.IdlePoll;

    protected override async Task PrepareAsync(IDatabase database, CancellationToken stoppingToken)
    {
        await RedisErrors.RetryAsync(() => BeatAsync(database), (reason, _) => LogRetry("register the consumer", reason), Time, stoppingToken);
        LogStarted(Messaging.Queue, Consumer, Settings.BatchSize);
    }

    /// <summary>
    /// Items left in our processing list: a restart under the same CONSUMER_NAME, or a take whose reply was lost
    /// with the connection. Ours to finish first.
    /// </summary>
    protected override async Task RecoverAsync(IDatabase database, CancellationToken stoppingToken)
    {
        var leftovers = await database.ListRangeAsync(Processing);
        if (leftovers.Length > 0)
        {
            LogLeftovers(leftovers.Length);
            await HandleAsync(database, leftovers, stoppingToken);
        }
    }

    protected override async Task<bool> TakeAsync(IDatabase database, CancellationToken stoppingToken)
    {
        var items = (RedisValue[]?)await database.ScriptEvaluateAsync(QueueScripts.Take, [_queue, Processing], [Settings.BatchSize]) ?? [];
        if (items.Length == 0)
        {
            return false;
        }

        await HandleAsync(database, items, stoppingToken);
        return true;
    }

    /// <summary>
    /// Handles items in processing-list order and settles them. On shutdown it stops after the item in
    /// hand; what is left stays in the processing list and goes back to the queue.
    /// </summary>
    private async Task HandleAsync(IDatabase database, RedisValue[] items, CancellationToken stoppingToken)
    {
        var results = new List<(RedisValue Item, ProcessResult Result)>(items.Length);
        foreach (var item in items)
        {
            if (stoppingToken.IsCancellationRequested && results.Count > 0)
            {
                break;
            }

            results.Add((item, await Processor.ProcessAsync(MessageSource.Queue, (ReadOnlyMemory<byte>)item, CancellationToken.None)));
        }

        foreach (var (id, attempts) in await _settlement.SettleAsync(database, Processing, Consumer, results))
        {
            LogDeadLettered(id, attempts);
        }
    }

    private async Task BeatAsync(IDatabase database)
    {
        await database.StringSetAsync(Heartbeat, Time.GetUtcNow().ToString("O"), Settings.HeartbeatTtl);
        await database.SetAddAsync(_registry, Consumer);
    }

    /// <summary>Refreshes our heartbeat and returns the in-flight items of consumers whose heartbeat expired.</summary>
    protected override async Task UpkeepAsync(IDatabase database, CancellationToken cancellationToken)
    {
        var period = Settings.HeartbeatTtl / 3;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(period, Time, cancellationToken);
                await BeatAsync(database);
                foreach (var member in await database.SetMembersAsync(_registry))
                {
                    if (member.ToString() is var other && other != Consumer)
                    {
                        await ReclaimAsync(database, other);
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (RedisErrors.IsTransient(ex))
            {
                // The main loop logs the outage; the heartbeat simply tries again next period.
            }
        }
    }

    private async Task ReclaimAsync(IDatabase database, string other)
    {
        var moved = (long)await database.ScriptEvaluateAsync(
            QueueScripts.Return,
            [KeyNames.Processing(Messaging.Queue, other), _queue, KeyNames.Heartbeat(Messaging.Queue, other), _registry],
            [other, "1"]);
        if (moved > 0)
        {
            LogReclaimed(moved, other);
            Wake();
        }
        else if (moved == 0)
        {
            LogForgotten(other);
        }
    }

    /// <summary>Hands our unsettled items back to the queue and rings for the others.</summary>
    protected override async Task FinishAsync(IDatabase database, ISubscriber subscriber)
    {
        try
        {
            await database.KeyDeleteAsync(Heartbeat);
            var returned = (long)await database.ScriptEvaluateAsync(QueueScripts.Return, [Processing, _queue, Heartbeat, _registry], [Consumer, "0"]);
            LogStopped(Consumer, returned);
            if (returned > 0)
            {
                // A courtesy that wakes the other consumers sooner (they also look every IDLE_POLL). Fire and forget:
                // a least-privilege subscriber may not PUBLISH (see ConsumerAccess), and a refused ring loses nothing.
                await subscriber.PublishAsync(Doorbell, RedisValue.EmptyString, CommandFlags.FireAndForget);
            }
        }
        catch (Exception ex) when (RedisErrors.IsTransient(ex))
        {
            LogReturnFailed(ex.GetBaseException().Message, Settings.HeartbeatTtl.TotalSeconds);
        }
    }

    protected override void OnSubscribeRetry(string reason, TimeSpan pause) => LogRetry("subscribe to the doorbell", reason);

    protected override void OnServerError(string reason, TimeSpan pause) => LogServerError(reason, Format(pause));

    [LoggerMessage(3201, LogLevel.Information, "Consuming queue '{Queue}' as {Consumer} (batches of up to {BatchSize}, at least once)")]
    private partial void LogStarted(string queue, string consumer, int batchSize);

    [LoggerMessage(3202, LogLevel.Information, "Finishing {Count} items left in our processing list first")]
    private partial void LogLeftovers(int count);

    [LoggerMessage(3203, LogLevel.Warning, "Moved {Count} in-flight items of consumer {Consumer} back to the queue: its heartbeat expired")]
    private partial void LogReclaimed(long count, string consumer);

    [LoggerMessage(3209, LogLevel.Information, "Consumer {Consumer} is gone (heartbeat expired) with nothing in flight")]
    private partial void LogForgotten(string consumer);

    [LoggerMessage(3204, LogLevel.Warning, "Queue message {Id} failed {Attempts} times: moved to the dead-letter list")]
    private partial void LogDeadLettered(string id, long attempts);

    [LoggerMessage(3205, LogLevel.Warning, "Queue unavailable: {Reason}; retrying in {Backoff}")]
    private partial void LogServerError(string reason, string backoff);

    [LoggerMessage(3206, LogLevel.Information, "Stopped consuming as {Consumer}: {Returned} unhandled items returned to the queue")]
    private partial void LogStopped(string consumer, long returned);

    [LoggerMessage(3207, LogLevel.Warning, "Could not return in-flight items at shutdown ({Reason}); other consumers will reclaim them {TtlSeconds}s after our heartbeat stops")]
    private partial void LogReturnFailed(string reason, double ttlSeconds);

    [LoggerMessage(3208, LogLevel.Warning, "Could not {What} yet: {Reason}; retrying")]
    private partial void LogRetry(string what, string reason);
}
