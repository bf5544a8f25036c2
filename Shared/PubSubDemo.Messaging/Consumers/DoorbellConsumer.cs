using Microsoft.Extensions.Hosting;
using PubSubDemo.Messaging.Cluster;
using PubSubDemo.Messaging.Configuration;
using PubSubDemo.Messaging.Connection;
using PubSubDemo.Messaging.Processing;
using PubSubDemo.Messaging.Retries;
using StackExchange.Redis;

namespace PubSubDemo.Messaging.Consumers;

/// <summary>
/// The lifecycle the batch consumers (queue, stream) share, over every partition (PARTITIONS) of their key. Connect;
/// subscribe to each partition's doorbell, which the publisher rings after each push there, retrying until the server
/// answers; prepare (register, start upkeep); then round after round: beat the loop heartbeat, recover what was left
/// in hand in every partition after a start or a reconnect, take and settle at most one batch from each partition that
/// may hold something (rung, or full last time; the starting partition rotates, so none starves and a busy one does
/// not hold up the others), and wait for a doorbell (or <see cref="IdleWait"/>, after which every partition is looked at) when none had anything. A transient server error backs off through
/// <see cref="RedisErrors.RetryAsync"/> and asks for recovery. At the end: stop the upkeep, unsubscribe, and let
/// the consumer put back what it holds. Idle consumers wait on the doorbell, not a blocking read, because a
/// blocking command would stall the one multiplexed connection.
/// </summary>
internal abstract partial class DoorbellConsumer(ConsumerServices services, DoorbellLog log) : BackgroundService
{
    private readonly WakeSignal _wake = new();
    private volatile bool _recover = true;
    private RedisChannel[] _doorbells = [];
    private ISubscriber? _subscriber;
    private int[] _due = [];
    private int _start;
    private DueSchedule? _schedule;

    /// <summary>The loop's name in the heartbeat, /health/live and the monitor.</summary>
    protected abstract string LoopName { get; }

    /// <summary>The partitions' names (the queue's or the stream's), partition 0 first; each one's doorbell wakes it.</summary>
    protected abstract IReadOnlyList<string> Partitions { get; }

    /// <summary>The channel the publisher rings after pushing to partition <paramref name="partition"/>.</summary>
    protected RedisChannel DoorbellOf(int partition) => _doorbells[partition];

    /// <summary>How long to wait for the doorbell when a round found nothing.</summary>
    protected abstract TimeSpan IdleWait { get; }

    /// <summary>When each partition's due set (retries, delayed messages) next needs a look; rounds wake for it.</summary>
    protected DueSchedule Due => _schedule ??= new DueSchedule(Partitions.Count, Services.Time, DueRecheck);

    /// <summary>How often a busy consumer looks at a due set it has scheduled nothing in (another consumer may have).</summary>
    protected virtual TimeSpan DueRecheck => IdleWait;

    /// <summary>
    /// What the consumer is made of (connection, settings, the processing path, DEDUPE, HANDLE_RATE, the clock, its
    /// name): the consumer calls each directly; this class keeps only the lifecycle's own state.
    /// </summary>
    protected ConsumerServices Services { get; } = services;

    /// <summary>Ends the current or next idle wait at once: something arrived in <paramref name="partition"/>, or a reclaim put items back there.</summary>
    protected void Wake(int partition)
    {
        Volatile.Write(ref _due[partition], 1);
        _wake.Set();
    }

    /// <summary>Asks the next round to recover first (the server lost state, or the connection came back).</summary>
    protected void RequestRecovery() => _recover = true;

    /// <summary>After the doorbell is subscribed, before the first round (register the consumer, say so).</summary>
    protected virtual Task PrepareAsync(IDatabase database, CancellationToken stoppingToken) => Task.CompletedTask;

    /// <summary>Work beside the rounds until shutdown (heartbeat, reclaim); cancelled before <see cref="FinishAsync"/>.</summary>
    protected virtual Task UpkeepAsync(IDatabase database, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Finishes what was delivered to this consumer from <paramref name="partition"/> and never settled.</summary>
    protected abstract Task RecoverAsync(IDatabase database, int partition, CancellationToken stoppingToken);

    /// <summary>
    /// Takes one batch from <paramref name="partition"/>, handles and settles it; true when the batch was full (the
    /// partition may hold more), false when it was short or empty (the partition is drained until it rings again).
    /// </summary>
    protected abstract Task<bool> TakeAsync(IDatabase database, int partition, CancellationToken stoppingToken);

    /// <summary>
    /// After IDLE_POLL with nothing to do: look for work of ours that nothing is handling (default: none). The queue
    /// finds items in its own processing list there when a take ran on the server but its reply never came back
    /// (the stream needs no sweep: its claim of idle pending entries takes back its own too).
    /// </summary>
    protected virtual Task SweepAsync(IDatabase database, int partition, CancellationToken stoppingToken) => Task.CompletedTask;

    /// <summary>After the doorbell is unsubscribed (or could not be): give back what this consumer holds, say it stopped.</summary>
    protected abstract Task FinishAsync(IDatabase database, ISubscriber subscriber);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (await Services.Connection.TryGetAsync(stoppingToken) is not { } multiplexer)
        {
            return;
        }

        var database = multiplexer.GetDatabase();
        var subscriber = multiplexer.GetSubscriber();
        _doorbells = [.. Partitions.Select(name => PubSubChannels.Doorbell(Services.Messaging, name))];
        _due = new int[_doorbells.Length];
        Services.Connection.Restored += OnRestored;
        using var maintenance = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var upkeep = Task.CompletedTask;
        try
        {
            _subscriber = subscriber;
            if (!await OpenBlockingAsync(Services.Connection, multiplexer, stoppingToken))
            {
                await SubscribeDoorbellsAsync(stoppingToken);
            }

            await PrepareAsync(database, stoppingToken);
            upkeep = UpkeepAsync(database, maintenance.Token);
            while (!stoppingToken.IsCancellationRequested)
            {
                await RedisErrors.RetryAsync(() => RoundAsync(database, stoppingToken), OnRoundFailed, Services.Time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            Services.Connection.Restored -= OnRestored;
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

    /// <summary>
    /// Subscribes to every partition's doorbell, retrying until the server answers: at start, unless
    /// <see cref="OpenBlockingAsync"/> took over the waiting, or later, when a blocking wait turns out to be refused.
    /// </summary>
    protected async Task SubscribeDoorbellsAsync(CancellationToken stoppingToken)
    {
        for (var i = 0; i < _doorbells.Length; i++)
        {
            var partition = i;
            await RedisErrors.RetryAsync(() => Subscriptions.SubscribeOnceAsync(_subscriber!, _doorbells[partition], (_, _) => Wake(partition)), log.SubscribeRetry, Services.Time, stoppingToken);
        }
    }

    /// <summary>
    /// Before the doorbells: true when this consumer waits for work by a blocking read of its own
    /// (<see cref="WaitForWorkAsync"/>) and needs no doorbell; default false.
    /// </summary>
    protected virtual Task<bool> OpenBlockingAsync(RedisConnection connection, IConnectionMultiplexer multiplexer, CancellationToken stoppingToken) => Task.FromResult(false);

    /// <summary>
    /// A round found nothing: waits for a doorbell (or a reclaim, or a restored connection) up to <paramref name="wait"/>;
    /// true when woken, false when the wait ran out (then every partition is looked at and swept).
    /// </summary>
    protected virtual Task<bool> WaitForWorkAsync(IDatabase database, TimeSpan wait, CancellationToken stoppingToken) => _wake.WaitAsync(wait, stoppingToken);

    private void OnRoundFailed(string reason, TimeSpan pause)
    {
        _recover = true;
        log.ServerError(reason, pause);
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
            foreach (var doorbell in _doorbells)
            {
                await subscriber.UnsubscribeAsync(doorbell);
            }
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
}

/// <summary>
/// The consumer's own wording of the lifecycle's two retry lines, each with the pause before the next try: the doorbell
/// could not be subscribed yet, and a round failed on a server error.
/// </summary>
internal sealed record DoorbellLog(Action<string, TimeSpan> SubscribeRetry, Action<string, TimeSpan> ServerError);
