using PubSubDemo.Shared.Configuration;
using PubSubDemo.Shared.Observability;

namespace PubSubDemo.Monitor;

/// <summary>Where the page is served and how much history its chart keeps.</summary>
public sealed class MonitorSettings : IServiceSettings
{
    public const string PortVariable = "MONITOR_PORT";
    public const string HistoryVariable = "MONITOR_HISTORY";

    /// <summary>MONITOR_PORT (0 lets the system pick one, logged in the "Monitor at" line); when unset, ASPNETCORE_URLS or ASPNETCORE_HTTP_PORTS decide, else 8080.</summary>
    public int? Port { get; set; }

    /// <summary>How far back the throughput and latency chart reaches.</summary>
    public TimeSpan History { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>MONITOR_BIND: the host part of the page's URL (<see cref="BindAddress"/>): loopback outside a container.</summary>
    public string Bind { get; set; } = "localhost";

    public IReadOnlyList<string> Errors { get; set; } = [];

    public void Load(SettingsReader reader)
    {
        Port = reader.Raw(PortVariable) is null ? null : reader.Count(PortVariable, 8080, 0, 65535);
        History = reader.Duration(HistoryVariable, History, TimeSpan.FromSeconds(10));
        Bind = BindAddress.Read(reader, EnvironmentNames.MonitorBind, loopback: "localhost");
        if (History > TimeSpan.FromHours(1))
        {
            reader.Error(HistoryVariable, reader.Raw(HistoryVariable), "use at most 1h");
        }
    }
}
