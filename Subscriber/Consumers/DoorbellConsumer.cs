using Microsoft.Extensions.Hosting;
using PubSubDemo.Shared.Configuration;
using PubSubDemo.Shared.Connection;
using PubSubDemo.Subscriber.Processing;
using StackExchange.Redis;

namespace PubSubDemo.Subscriber.Consumers;

/// <summary>
/// The lifecycle the batch consumers (queue, stream) share. Connect; subscribe to the doorbell the publisher rings
/// after each push, retrying until the server answers; prepare (register, start upkeep); then round after round: beat
/// the loop heartbeat, recover what was left in hand after a start or a reconnect, take and settle a batch, and wait
/// for the doorbell (or <see cref="IdleWait"/>) when there was none. A transient server error backs off through
/// <see cref="RedisErrors.RetryAsync"/> and asks for recovery. At the end: stop the upkeep, unsubscribe, and let
/// the consumer put back what it holds. Idle consumers wait on the doorbell, not a blocking read, because a
/// blocking command would stall the one multiplexed connection.
/// </summary>
internal abstract class DoorbellConsumer(ConsumerServices services) : BackgroundService
{
    private readonly RedisConnection _connection = services.Connection;
    private readonly TimeProvider _time = services.Time;
    private readonly WakeSignal _wake = new();
    private volatile bool _recover = true;

    /// <summary>The loop's name in the heartbeat, /health/live and the monitor.</summary>
    protected abstract string LoopName { get; }

    /// <summary>The channel the publisher rings after pushing to this consumer's key.</summary>
    protected abstract RedisChannel Doorbell { get; }

    /// <summary>How long to wait for the doorbell when a round found nothing.</summary>
    protected abstract TimeSpan IdleWait { get; }

    protected TimeProvider Time => _time;

    protected MessagingSettings Messaging => services.Messaging;

    protected SubscriberSettings Settings => services.Settings;

    protected MessageProcessor Processor => services.Processor;

    /// <summary>The name this process consumes under: CONSUMER_NAME, else the instance name.</summary>
    protected string Consumer { get; } = services.Consumer;

    /// <summary>Ends the current or next idle wait at once: something arrived, or a reclaim put items back.</summary>
    protected void Wake() => _wake.Set();

    /// <summary>Asks the next round to recover first (the server lost state, or the connection came back).</summary>
    protected void RequestRecovery() => _recover = true;

    /// <summary>After the doorbell is subscribed, before the first round (register the consumer, say so).</summary>
    protected virtual Task PrepareAsync(IDatabase database, CancellationToken stoppingToken) => Task.CompletedTask;

    /// <summary>Work beside the rounds until shutdown (heartbeat, reclaim); cancelled before <see cref="FinishAsync"/>.</summary>
    protected virtual Task UpkeepAsync(IDatabase database, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Finishes what was delivered to this consumer and never settled.</summary>
    protected abstract Task RecoverAsync(IDatabase database, CancellationToken stoppingToken);

    /// <summary>Takes one batch, handles and settles it; false when there was nothing to take.</summary>
    protected abstract Task<bool> TakeAsync(IDatabase database, CancellationToken stoppingToken);

    /// <summary>After the doorbell is unsubscribed (or could not be): give back what this consumer holds, say it stopped.</summary>
    protected abstract Task FinishAsync(IDatabase database, ISubscriber subscriber);

    protected abstract void OnSubscribeRetry(string reason, TimeSpan pause);

    protected abstract void OnServerError(string reason, TimeSpan pause);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (await _connection.TryGetAsync(stoppingToken) is not { } multiplexer)
        {
            return;
        }

        var database = multiplexer.GetDatabase();
        var subscriber = multiplexer.GetSubscriber();
        _connection.Restored += OnRestored;
        using var maintenance = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var upkeep = Task.CompletedTask;
        try
        {
            await RedisErrors.RetryAsync(() => subscriber.SubscribeAsync(Doorbell, (_, _) => _wake.Set()), OnSubscribeRetry, _time, stoppingToken);
            await PrepareAsync(database, stoppingToken);
            upkeep = UpkeepAsync(database, maintenance.Token);
            while (!stoppingToken.IsCancellationRequested)
            {
                await RedisErrors.RetryAsync(() => RoundAsync(database, stoppingToken), OnRoundFailed, _time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            _connection.Restored -= OnRestored;
            await maintenance.CancelAsync();
            await upkeep;
            await UnsubscribeAsync(subscriber);
            await FinishAsync(database, subscriber);
        }
    }

    /// <summary>
    /// A refusal this consumer knows how to repair in the next round (the stream's group went missing); true
    /// makes that round recover at once, without a back-off.
    /// </summary>
    protected virtual bool Repairable(RedisServerException ex) => false;

    private async Task RoundAsync(IDatabase database, CancellationToken stoppingToken)
    {
        services.Heartbeat.Beat(LoopName);
        try
        {
            if (_recover)
            {
                _recover = false;
                await RecoverAsync(database, stoppingToken);
            }

            if (!await TakeAsync(database, stoppingToken))
            {
                await _wake.WaitAsync(IdleWait, stoppingToken);
            }
        }
        catch (RedisServerException ex) when (Repairable(ex))
        {
            _recover = true;
        }
    }

    private void OnRoundFailed(string reason, TimeSpan pause)
    {
        _recover = true;
        OnServerError(reason, pause);
    }

    private void OnRestored()
    {
        _recover = true;
        _wake.Set();
    }

    private async Task UnsubscribeAsync(ISubscriber subscriber)
    {
        try
        {
            await subscriber.UnsubscribeAsync(Doorbell);
        }
        catch (Exception ex) when (RedisErrors.IsTransient(ex))
        {
            // The server is away: the subscription went with the connection.
        }
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }

    /// <summary>Formats a pause for a log line, as every retry line shows it.</summary>
    protected static string Format(TimeSpan pause) => DurationParser.Format(pause);
}
