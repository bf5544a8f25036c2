using Microsoft.Extensions.Time.Testing;
using PubSubDemo.Shared.Connection;
using PubSubDemo.Messaging.Connection;
using StackExchange.Redis;

namespace PubSubDemo.UnitTests.Connection;

public sealed class ServerRetryTests
{
    private static readonly TimeSpan Floor = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Ceiling = TimeSpan.FromSeconds(5);

    [Fact]
    public void Pauses_grow_from_the_floor_to_the_ceiling_whatever_the_jitter()
    {
        var retry = new ServerRetry(Floor, Ceiling, TimeProvider.System);
        var random = new Random(10);
        for (var n = 0; n < 40; n++)
        {
            var pause = retry.PauseBefore(n, random.NextDouble());
            Assert.InRange(pause, Floor, Ceiling);
            if (Floor * Math.Pow(2, n + 1) <= Ceiling)
            {
                // The next pause, with any jitter, is at least this one with any jitter.
                Assert.True(retry.PauseBefore(n + 1, 0.999) >= retry.PauseBefore(n, 0), $"retry {n + 1} paused less than retry {n}");
            }
        }

        Assert.Equal(Floor, retry.PauseBefore(0, 0));
        Assert.Equal(Floor * 8, retry.PauseBefore(3, 0));
        Assert.Equal(Floor * 6, retry.PauseBefore(3, 0.5));
        Assert.Equal(0, retry.PauseBefore(5, 0.123).Ticks % TimeSpan.TicksPerMillisecond);
    }

    [Fact]
    public void Pauses_at_the_ceiling_are_still_spread_by_jitter()
    {
        var retry = new ServerRetry(Floor, Ceiling, TimeProvider.System);

        Assert.Equal(Ceiling, retry.PauseBefore(20, 0));
        Assert.Equal(Ceiling / 2, retry.PauseBefore(20, 1));
        Assert.InRange(retry.PauseBefore(1000, 0.3), Ceiling / 2, Ceiling);
    }

    [Fact]
    public async Task Transient_errors_are_retried_after_each_pause_until_the_action_succeeds()
    {
        var (time, retry) = Policy();
        var calls = 0;
        var pauses = new List<TimeSpan>();
        var reasons = new List<string>();

        var running = retry.RunAsync(
            _ => ++calls <= 4 ? throw new RedisConnectionException(ConnectionFailureType.SocketFailure, CommandFlags.None, $"down {calls}", null, CommandStatus.Unknown) : ValueTask.CompletedTask,
            (reason, pause) => { reasons.Add(reason); pauses.Add(pause); },
            CancellationToken.None);

        for (var failure = 1; failure <= 4; failure++)
        {
            await time.WaitForTimersAsync(failure);
            Assert.Equal(failure, calls);
            time.Advance(pauses[^1] - TimeSpan.FromTicks(1));
            Assert.Equal(failure, calls);
            time.Advance(TimeSpan.FromTicks(1));
            await WaitAsync(() => calls > failure || running.IsCompleted);
        }

        await running.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(5, calls);
        Assert.Equal(["down 1", "down 2", "down 3", "down 4"], reasons);
        Assert.All(pauses, pause => Assert.InRange(pause, Floor, Ceiling));
        Assert.Equal(pauses.Order(), pauses);
        Assert.True(pauses[^1] > pauses[0], "the pauses did not grow");
    }

    [Fact]
    public async Task Errors_that_are_not_transient_surface_at_once()
    {
        var (_, retry) = Policy();
        var calls = 0;
        var retries = 0;

        var error = await Assert.ThrowsAsync<RedisServerException>(() => retry.RunAsync(
            _ => { calls++; throw new RedisServerException(default, CommandFlags.None, "WRONGTYPE Operation against a key holding the wrong kind of value"); },
            (_, _) => retries++,
            CancellationToken.None));

        Assert.StartsWith("WRONGTYPE", error.Message);
        Assert.Equal(1, calls);
        Assert.Equal(0, retries);
    }

    [Fact]
    public async Task Cancellation_during_a_pause_stops_the_retries()
    {
        var (time, retry) = Policy();
        using var stop = new CancellationTokenSource();
        var calls = 0;

        var running = retry.RunAsync(_ => { calls++; throw new RedisTimeoutException(CommandFlags.None, "timed out", CommandStatus.Sent); }, (_, _) => { }, stop.Token);
        await time.WaitForTimersAsync(1);
        await stop.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running.WaitAsync(TimeSpan.FromSeconds(10)));
        time.Advance(Ceiling * 10);
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task A_failure_reported_after_cancellation_is_not_retried()
    {
        var (_, retry) = Policy();
        using var stop = new CancellationTokenSource();
        var calls = 0;
        var retries = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => retry.RetryWhileFailingAsync(
            _ => { calls++; stop.Cancel(); return ValueTask.FromResult<string?>("server away"); },
            (_, _) => retries++,
            stop.Token));

        Assert.Equal(1, calls);
        Assert.Equal(0, retries);
    }

    [Fact]
    public async Task Reported_failures_are_retried_until_an_attempt_succeeds()
    {
        var (time, retry) = Policy();
        var calls = 0;
        var reasons = new List<string>();

        var running = retry.RetryWhileFailingAsync(_ => ValueTask.FromResult(++calls < 3 ? $"refused {calls}" : null), (reason, _) => reasons.Add(reason), CancellationToken.None);
        for (var failure = 1; failure < 3; failure++)
        {
            await time.WaitForTimersAsync(failure);
            time.Advance(Ceiling);
        }

        await running.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(3, calls);
        Assert.Equal(["refused 1", "refused 2"], reasons);
    }

    /// <summary>The policy under test, 100 ms to 5 s, on a fake clock.</summary>
    private static (CountingTimeProvider Time, ServerRetry Retry) Policy()
    {
        var time = new CountingTimeProvider();
        return (time, new ServerRetry(Floor, Ceiling, time));
    }

    private static async Task WaitAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for the next attempt");
            await Task.Delay(1);
        }
    }

    /// <summary>A fake clock that counts the timers created on it, so a test advances it only once a pause has begun.</summary>
    private sealed class CountingTimeProvider : FakeTimeProvider
    {
        private int _timers;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            Interlocked.Increment(ref _timers);
            return base.CreateTimer(callback, state, dueTime, period);
        }

        public Task WaitForTimersAsync(int count) => WaitAsync(() => Volatile.Read(ref _timers) >= count);
    }
}
