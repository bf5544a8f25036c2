using Polly;
using Polly.Retry;

namespace PubSubDemo.Messaging.Connection;

/// <summary>
/// The one retry policy for a server that is away for now: exponential backoff from a floor to a ceiling, with
/// jitter so that many clients that lost the same server do not come back in step, and no limit on attempts
/// (the caller's cancellation token ends it). Built on Polly; the clock is the <see cref="TimeProvider"/>, so
/// tests drive it with a FakeTimeProvider.
/// </summary>
internal sealed class ServerRetry
{
    /// <summary>The pauses every service used before the policy had a name: 250 ms doubling up to 5 s.</summary>
    public static readonly TimeSpan DefaultFloor = TimeSpan.FromMilliseconds(250);

    public static readonly TimeSpan DefaultCeiling = TimeSpan.FromSeconds(5);

    private static readonly ResiliencePropertyKey<Action<string, TimeSpan>> OnRetryKey = new("PubSubDemo.OnRetry");

    private readonly Func<double> _random;
    private readonly ResiliencePipeline _onTransientError;
    private readonly ResiliencePipeline<string?> _whileFailing;

    /// <param name="random">Jitter source, uniform in [0, 1); <see cref="Random.Shared"/> unless a test pins it.</param>
    public ServerRetry(TimeSpan floor, TimeSpan ceiling, TimeProvider time, Func<double>? random = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(floor, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(ceiling, floor);
        Floor = floor;
        Ceiling = ceiling;
        _random = random ?? Random.Shared.NextDouble;

        _onTransientError = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(Options<RetryStrategyOptions, object>(static outcome => outcome.Exception is { } ex && RedisErrors.IsTransient(ex)))
            .Build();
        _whileFailing = new ResiliencePipelineBuilder<string?> { TimeProvider = time }
            .AddRetry(Options<RetryStrategyOptions<string?>, string?>(static outcome => outcome.Exception is null && outcome.Result is not null))
            .Build();
    }

    public TimeSpan Floor { get; }

    public TimeSpan Ceiling { get; }

    /// <summary>
    /// The pause before retry number <paramref name="retry"/> (0 for the first): a nominal pause that doubles from
    /// the floor up to the ceiling, less up to half of it by <paramref name="jitter"/> (in [0, 1)), never below the floor; in whole milliseconds.
    /// Each range starts where the one before ends, so pauses grow until they reach the ceiling.
    /// </summary>
    public TimeSpan PauseBefore(int retry, double jitter)
    {
        var nominal = retry >= 62 || Floor.Ticks > Ceiling.Ticks >> retry ? Ceiling : TimeSpan.FromTicks(Floor.Ticks << retry);
        var pause = nominal * (1 - (0.5 * Math.Clamp(jitter, 0, 1)));

        // Whole milliseconds: the timers wait that long, and the log lines say it.
        pause = TimeSpan.FromMilliseconds(Math.Floor(pause.TotalMilliseconds));
        return pause < Floor ? Floor : pause;
    }

    /// <summary>
    /// Runs <paramref name="action"/> until it succeeds. A transient server error (<see cref="RedisErrors.IsTransient"/>)
    /// is reported through <paramref name="onRetry"/> with its reason and the pause, then retried; any other error surfaces.
    /// </summary>
    public async Task RunAsync(Func<CancellationToken, ValueTask> action, Action<string, TimeSpan> onRetry, CancellationToken cancellationToken)
    {
        var context = Context(onRetry, cancellationToken);
        try
        {
            await _onTransientError.ExecuteAsync(static (context, action) => action(context.CancellationToken), context, action);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>
    /// For attempts that report failure as a value instead of throwing: runs <paramref name="attempt"/>, which returns
    /// null when it succeeded or why it failed (a failure the caller has already judged worth retrying), until it
    /// succeeds. Cancellation stops it with <see cref="OperationCanceledException"/>, whether it comes during a pause
    /// or during an attempt (then the failure that attempt reports is not retried).
    /// </summary>
    public async Task RetryWhileFailingAsync(Func<CancellationToken, ValueTask<string?>> attempt, Action<string, TimeSpan> onRetry, CancellationToken cancellationToken)
    {
        var context = Context(onRetry, cancellationToken);
        try
        {
            if (await _whileFailing.ExecuteAsync(static (context, attempt) => attempt(context.CancellationToken), context, attempt) is not null)
            {
                // Only cancellation ends the retries before an attempt succeeds.
                cancellationToken.ThrowIfCancellationRequested();
            }
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private static ResilienceContext Context(Action<string, TimeSpan> onRetry, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(OnRetryKey, onRetry);
        return context;
    }

    private TOptions Options<TOptions, T>(Func<Outcome<T>, bool> shouldRetry)
        where TOptions : RetryStrategyOptions<T>, new() => new()
    {
        MaxRetryAttempts = int.MaxValue,
        ShouldHandle = args => ValueTask.FromResult(shouldRetry(args.Outcome)),
        DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(PauseBefore(args.AttemptNumber, _random())),
        MaxDelay = Ceiling,
        OnRetry = args =>
        {
            // Polly calls this before it notices cancellation; a retry that will not happen is not announced.
            if (args.Context.CancellationToken.IsCancellationRequested)
            {
                return ValueTask.CompletedTask;
            }

            var reason = args.Outcome.Exception?.GetBaseException().Message ?? args.Outcome.Result?.ToString() ?? "";
            args.Context.Properties.GetValue(OnRetryKey, static (_, _) => { })(reason, args.RetryDelay);
            return ValueTask.CompletedTask;
        },
    };
}
