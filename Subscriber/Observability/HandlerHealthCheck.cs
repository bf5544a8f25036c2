using Microsoft.Extensions.Diagnostics.HealthChecks;
using PubSubDemo.Shared.Configuration;
using PubSubDemo.Messaging.Configuration;
using PubSubDemo.Shared.Observability;
using PubSubDemo.Messaging.Observability;
using PubSubDemo.Messaging.Telemetry;

namespace PubSubDemo.Subscriber.Observability;

/// <summary>Liveness: no handler call has been running for longer than STALL_TIMEOUT plus HANDLER_DELAY.</summary>
internal sealed class HandlerHealthCheck(
    SubscriberTelemetry telemetry,
    SubscriberSettings subscriber,
    ObservabilitySettings settings,
    TimeProvider time) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var limit = settings.StallTimeout + subscriber.HandlerDelay;
        var stuck = telemetry.Watchdog.Running()
            .Select(r => (r.Source, Running: time.GetElapsedTime(r.StartedAt)))
            .Where(r => r.Running > limit)
            .Select(r => $"the {r.Source.ToString().ToLowerInvariant()} handler has been running for {DurationParser.Format(r.Running)} (limit {DurationParser.Format(limit)})")
            .ToList();
        return Task.FromResult(stuck.Count == 0
            ? HealthCheckResult.Healthy("no handler call is stuck")
            : HealthCheckResult.Unhealthy(string.Join("; ", stuck)));
    }
}
