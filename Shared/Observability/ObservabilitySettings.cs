using PubSubDemo.Messaging.Observability;
using PubSubDemo.Shared.Configuration;
using PubSubDemo.Messaging.Configuration;

namespace PubSubDemo.Shared.Observability;

/// <summary>Where metrics and health are served, when a loop counts as stalled, and whether the monitor hears from us.</summary>
internal sealed class ObservabilitySettings : IServiceSettings
{
    /// <summary>METRICS_PORT: /metrics, /health/live and /health/ready on this port; null means no HTTP listener at all.</summary>
    public int? MetricsPort { get; set; }

    /// <summary>METRICS_BIND: the host part of the listener's URL (<see cref="BindAddress"/>).</summary>
    public string MetricsBind { get; set; } = BindAddress.Loopback;

    /// <summary>A loop that has not come round for this long (plus its own allowance) fails /health/live.</summary>
    public TimeSpan StallTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>MONITOR_REPORT: the per-second stats key the monitor discovers replicas by.</summary>
    public bool MonitorReport { get; set; } = true;

    /// <summary>OTEL_EXPORTER_OTLP_ENDPOINT is set: metrics are pushed over OTLP too (the exporter reads the variable itself).</summary>
    public bool OtlpEnabled { get; set; }

    public void Load(SettingsReader reader)
    {
        MetricsPort = reader.Raw(EnvironmentNames.MetricsPort) is null ? null : reader.Count(EnvironmentNames.MetricsPort, 0, 1, 65535);
        MetricsBind = BindAddress.Read(reader, EnvironmentNames.MetricsBind);
        StallTimeout = reader.Duration(EnvironmentNames.StallTimeout, StallTimeout, TimeSpan.FromMilliseconds(100));
        MonitorReport = reader.Flag(EnvironmentNames.MonitorReport, MonitorReport);
        OtlpEnabled = reader.Raw(EnvironmentNames.OtlpEndpoint) is not null;
    }
}
