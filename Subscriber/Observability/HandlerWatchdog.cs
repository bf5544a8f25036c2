using Microsoft.Extensions.Diagnostics.HealthChecks;
using PubSubDemo.Shared.Configuration;
using PubSubDemo.Shared.Observability;
using PubSubDemo.Subscriber.Stats;

namespace PubSubDemo.Subscriber.Observability;

/// <summary>
/// When each source's handler call began, or 0 while none runs. The channel loop may wait for messages as long as
/// none are published, so its heartbeat cannot tell idle from stuck; a handler call that never returns can.
/// </summary>
internal sealed class HandlerWatchdog
{
    private readonly long[] _startedAt = new long[3];

    public void Enter(MessageSource source, long timestamp) => Volatile.Write(ref _startedAt[(int)source], timestamp);

    public void Exit(MessageSource source) => Volatile.Write(ref _startedAt[(int)source], 0);

    /// <summary>The sources whose handler call has been running, with the timestamp it began.</summary>
    public IEnumerable<(MessageSource Source, long StartedAt)> Running()
    {
        for (var i = 0; i < _startedAt.Length; i++)
        {
            if (Volatile.Read(ref _startedAt[i]) is var started and not 0)
            {
                yield return ((MessageSource)i, started);
            }
        }
    }
}

/// <summary>Liveness: no handler call has been running for longer than STALL_TIMEOUT plus HANDLER_DELAY.</summary>
internal sealed class HandlerHealthCheck(
    SubscriberMetrics metrics,
    SubscriberSettings subscriber,
    ObservabilitySettings settings,
    TimeProvider time) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var limit = settings.StallTimeout + subscriber.HandlerDelay;
        var stuck = metrics.Watchdog.Running()
            .Select(r => (r.Source, Running: time.GetElapsedTime(r.StartedAt)))
            .Where(r => r.Running > limit)
            .Select(r => $"the {r.Source.ToString().ToLowerInvariant()} handler has been running for {DurationParser.Format(r.Running)} (limit {DurationParser.Format(limit)})")
            .ToList();
        return Task.FromResult(stuck.Count == 0
            ? HealthCheckResult.Healthy("no handler call is stuck")
            : HealthCheckResult.Unhealthy(string.Join("; ", stuck)));
    }
}
