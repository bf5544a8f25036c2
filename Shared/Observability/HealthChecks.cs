using Microsoft.Extensions.Diagnostics.HealthChecks;
using PubSubDemo.Messaging.Configuration;
using PubSubDemo.Messaging.Connection;

namespace PubSubDemo.Shared.Observability;
using PubSubDemo.Messaging.Observability;

/// <summary>The tags that sort health checks into /health/live and /health/ready.</summary>
internal static class HealthTags
{
    public const string Live = "live";
    public const string Ready = "ready";
}

/// <summary>
/// Liveness from the loops' heartbeats: unhealthy once a loop has not come round for longer than it may. While the
/// server is away a silent loop is only degraded: waiting for the server is what it should do, and readiness says so.
/// </summary>
internal sealed class LoopsHealthCheck(
    LoopHeartbeat heartbeat,
    IMonitorReportSource role,
    ObservabilitySettings settings,
    RedisConnection connection) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object>();
        var stalled = new List<string>();
        foreach (var loop in heartbeat.Read())
        {
            data[loop.Name] = $"last beat {DurationParser.Format(loop.Silence)} ago";
            if (role.MaxSilence(loop.Name, settings.StallTimeout) is { } limit && loop.Silence > limit)
            {
                stalled.Add($"{loop.Name} has not come round for {DurationParser.Format(loop.Silence)} (limit {DurationParser.Format(limit)})");
            }
        }

        if (stalled.Count == 0)
        {
            return Task.FromResult(HealthCheckResult.Healthy(data.Count == 0 ? "no loop running yet" : "every loop is coming round", data));
        }

        var description = string.Join("; ", stalled);
        return Task.FromResult(connection.IsConnected
            ? HealthCheckResult.Unhealthy(description, data: data)
            : HealthCheckResult.Degraded($"waiting for the server: {description}", data: data));
    }
}

/// <summary>Readiness: the server connection is up.</summary>
internal sealed class ServerReadinessHealthCheck(RedisConnection connection) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(connection.IsConnected
            ? HealthCheckResult.Healthy($"connected to {connection.Endpoint} ({connection.ServerDescription})")
            : HealthCheckResult.Unhealthy($"not connected to {connection.Endpoint}"));
}
