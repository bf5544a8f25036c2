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
/// The work queue, at least once: each item goes to one consumer. Items move atomically into this
/// consumer's processing list (up to BATCH_SIZE per round trip) and leave it only once handled or set aside.
/// Idle consumers wait on a pub/sub doorbell, not a blocking pop, so the shared multiplexer never stalls.
/// A heartbeat key marks this consumer alive; the items of a consumer whose heartbeat expired go back to the queue.
/// </summary>
internal sealed partial class QueueConsumer(
    RedisConnection connection,
    MessagingSettings messaging,
    SubscriberSettings settings,
    SubscriberStats stats,
    MessageProcessor processor,
    TimeProvider time,
    LoopHeartbeat heartbeat,
    ILogger<QueueConsumer> logger) : BackgroundService
{
    private readonly string _consumer = settings.ConsumerName.Length > 0 ? settings.ConsumerName : messaging.InstanceName;
    private readonly RedisKey _queue = messaging.Queue;
    private readonly RedisKey _dead = KeyNames.DeadLetters(messaging.Queue);
    private readonly RedisKey _registry = KeyNames.Consumers(messaging.Queue);
    private readonly WakeSignal _wake = new();
    private RedisKey Processing => KeyNames.Processing(messaging.Queue, _consumer);
    private RedisKey Heartbeat => KeyNames.Heartbeat(messaging.Queue, _consumer);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (await connection.TryGetAsync(stoppingToken) is not { } multiplexer)
        {
            return;
        }

        var database = multiplexer.GetDatabase();
        var doorbell = PubSubChannels.Doorbell(messaging, messaging.Queue);
        var subscriber = multiplexer.GetSubscriber();
        var recover = true;
        void OnRestored()
        {
            recover = true;
            _wake.Set();
        }

        connection.Restored += OnRestored;
        using var maintenance = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        Task? upkeep = null;
        try
        {
            await RedisErrors.RetryAsync(() => subscriber.SubscribeAsync(doorbell, (_, _) => _wake.Set()), (reason, _) => LogRetry("subscribe to the doorbell", reason), time, stoppingToken);
            await RedisErrors.RetryAsync(() => BeatAsync(database), (reason, _) => LogRetry("register the consumer", reason), time, stoppingToken);
            LogStarted(messaging.Queue, _consumer, settings.BatchSize);
            upkeep = KeepAliveAndReclaimAsync(database, maintenance.Token);

            var backoff = new Backoff();
            while (!stoppingToken.IsCancellationRequested)
            {
                heartbeat.Beat(nameof(QueueConsumer));
                try
                {
                    if (recover)
                    {
                        // Items left in our processing list: a restart under the same CONSUMER_NAME, or a take
                        // whose reply was lost with the connection. Ours to finish first.
                        recover = false;
                        var leftovers = await database.ListRangeAsync(Processing);
                        if (leftovers.Length > 0)
                        {
                            LogLeftovers(leftovers.Length);
                            await HandleAsync(database, leftovers, stoppingToken);
                        }
                    }

                    var items = (RedisValue[]?)await database.ScriptEvaluateAsync(QueueScripts.Take, [_queue, Processing], [settings.BatchSize]) ?? [];
                    if (items.Length == 0)
                    {
                        await _wake.WaitAsync(settings.IdlePoll, stoppingToken);
                        continue;
                    }

                    await HandleAsync(database, items, stoppingToken);
                    backoff.Reset();
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
            await maintenance.CancelAsync();
            if (upkeep is not null)
            {
                await upkeep;
            }

            await ReturnOwnLeftoversAsync(database, subscriber, doorbell);
        }
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

            results.Add((item, await processor.ProcessAsync(MessageSource.Queue, (ReadOnlyMemory<byte>)item, CancellationToken.None)));
        }

        await SettleAsync(database, results);
    }

    /// <summary>Removes handled items from the processing list; sends malformed ones, and failures past MAX_ATTEMPTS, to the dead-letter list.</summary>
    private async Task SettleAsync(IDatabase database, List<(RedisValue Item, ProcessResult Result)> results)
    {
        if (results.All(r => r.Result.Disposition == Disposition.Handled))
        {
            // The fast path: the handled items are exactly the head of our processing list.
            await database.ListLeftPopAsync(Processing, results.Count);
            return;
        }

        var attempts = new Dictionary<int, long>();
        for (var i = 0; i < results.Count; i++)
        {
            if (results[i].Result is { Disposition: Disposition.Failed, MessageId: { } id })
            {
                var key = KeyNames.Attempts(messaging.Queue, id);
                attempts[i] = await database.StringIncrementAsync(key);
                await database.KeyExpireAsync(key, TimeSpan.FromDays(1));
            }
        }

        var transaction = database.CreateTransaction();
        var deadLettered = 0;
        for (var i = 0; i < results.Count; i++)
        {
            var (item, result) = results[i];
            _ = transaction.ListRemoveAsync(Processing, item, 1);
            switch (result.Disposition)
            {
                case Disposition.Malformed:
                    _ = transaction.ListRightPushAsync(_dead, DeadLetters.Envelope(_consumer, time, item, result.Reason!, 1));
                    deadLettered++;
                    break;
                case Disposition.Failed when attempts.GetValueOrDefault(i) >= settings.MaxAttempts:
                    _ = transaction.ListRightPushAsync(_dead, DeadLetters.Envelope(_consumer, time, item, $"{result.Reason} ({attempts[i]} attempts)", (int)attempts[i]));
                    _ = transaction.KeyDeleteAsync(KeyNames.Attempts(messaging.Queue, result.MessageId!));
                    deadLettered++;
                    LogDeadLettered(result.MessageId!, attempts[i]);
                    break;
                case Disposition.Failed:
                    // Back to the tail: the rest of the queue is not held up by one bad item.
                    _ = transaction.ListRightPushAsync(_queue, item);
                    break;
            }
        }

        await transaction.ExecuteAsync();
        stats.Queue.OnDeadLettered(deadLettered);
    }

    private async Task BeatAsync(IDatabase database)
    {
        await database.StringSetAsync(Heartbeat, time.GetUtcNow().ToString("O"), settings.HeartbeatTtl);
        await database.SetAddAsync(_registry, _consumer);
    }

    /// <summary>Refreshes our heartbeat and returns the in-flight items of consumers whose heartbeat expired.</summary>
    private async Task KeepAliveAndReclaimAsync(IDatabase database, CancellationToken cancellationToken)
    {
        var period = settings.HeartbeatTtl / 3;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(period, time, cancellationToken);
                await BeatAsync(database);
                foreach (var member in await database.SetMembersAsync(_registry))
                {
                    var other = member.ToString();
                    if (other == _consumer)
                    {
                        continue;
                    }

                    var moved = (long)await database.ScriptEvaluateAsync(
                        QueueScripts.Return,
                        [KeyNames.Processing(messaging.Queue, other), _queue, KeyNames.Heartbeat(messaging.Queue, other), _registry],
                        [other, "1"]);
                    if (moved > 0)
                    {
                        LogReclaimed(moved, other);
                        _wake.Set();
                    }
                    else if (moved == 0)
                    {
                        LogForgotten(other);
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

    private async Task ReturnOwnLeftoversAsync(IDatabase database, ISubscriber subscriber, RedisChannel doorbell)
    {
        try
        {
            await subscriber.UnsubscribeAsync(doorbell);
            await database.KeyDeleteAsync(Heartbeat);
            var returned = (long)await database.ScriptEvaluateAsync(QueueScripts.Return, [Processing, _queue, Heartbeat, _registry], [_consumer, "0"]);
            LogStopped(_consumer, returned);
            if (returned > 0)
            {
                await subscriber.PublishAsync(doorbell, RedisValue.EmptyString);
            }
        }
        catch (Exception ex) when (RedisErrors.IsTransient(ex))
        {
            LogReturnFailed(ex.GetBaseException().Message, settings.HeartbeatTtl.TotalSeconds);
        }
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }

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
