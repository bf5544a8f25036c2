using PubSubDemo.Shared.Configuration;
using PubSubDemo.Messaging.Configuration;
using PubSubDemo.Shared.Observability;
using PubSubDemo.Messaging.Observability;

namespace PubSubDemo.Monitor;

/// <summary>Where the page is served and how much history its chart keeps.</summary>
internal sealed class MonitorSettings : IServiceSettings
{
    /// <summary>The port when neither MONITOR_PORT nor ASP.NET Core's own variables name one.</summary>
    public const int DefaultPort = 8080;

    /// <summary>MONITOR_PORT (0 lets the system pick one, logged in the "Monitor at" line); when unset, ASPNETCORE_URLS or ASPNETCORE_HTTP_PORTS decide, else 8080.</summary>
    public int? Port { get; set; }

    /// <summary>How far back the throughput and latency chart reaches.</summary>
    public TimeSpan History { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>MONITOR_BIND: the host part of the page's URL (<see cref="BindAddress"/>): loopback outside a container.</summary>
    public string Bind { get; set; } = "localhost";

    public void Load(SettingsReader reader)
    {
        Port = reader.Raw(EnvironmentNames.MonitorPort) is null ? null : reader.Count(EnvironmentNames.MonitorPort, DefaultPort, 0, 65535);
        History = reader.Duration(EnvironmentNames.MonitorHistory, History, TimeSpan.FromSeconds(10));
        Bind = BindAddress.Read(reader, EnvironmentNames.MonitorBind, loopback: "localhost");
        if (History > TimeSpan.FromHours(1))
        {
            reader.Error(EnvironmentNames.MonitorHistory, reader.Raw(EnvironmentNames.MonitorHistory), "use at most 1h");
        }
    }
}
