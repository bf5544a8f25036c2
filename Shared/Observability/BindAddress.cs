using PubSubDemo.Messaging.Observability;
using System.Net;
using PubSubDemo.Shared.Configuration;
using PubSubDemo.Messaging.Configuration;

namespace PubSubDemo.Shared.Observability;

/// <summary>
/// Where an HTTP listener (the monitor page, /metrics and /health) binds: loopback outside a container, so a
/// laptop does not serve it to its network; every interface inside one (the official .NET images set
/// DOTNET_RUNNING_IN_CONTAINER=true), as compose and Prometheus reach it from outside. MONITOR_BIND and METRICS_BIND
/// override it with an IP address, or <c>*</c> / <c>+</c> for every interface.
/// </summary>
internal static class BindAddress
{
    public const string Loopback = "127.0.0.1";
    public const string Any = "+";

    /// <summary>
    /// The host part of a listener URL: <c>127.0.0.1</c>, <c>+</c>, <c>[::1]</c>, …; <paramref name="loopback"/> when
    /// unset outside a container (Kestrel takes <c>localhost</c>, both loopback addresses; HttpListener an address).
    /// </summary>
    public static string Read(SettingsReader reader, string variable, string loopback = Loopback)
    {
        if (reader.Raw(variable) is not { } raw)
        {
            return reader.Flag(EnvironmentNames.RunningInContainer, false) ? Any : loopback;
        }

        if (raw is "*" or "+")
        {
            return Any;
        }

        if (IPAddress.TryParse(raw.Trim('[', ']'), out var address))
        {
            return address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
        }

        reader.Error(variable, raw, "use an IP address (127.0.0.1, 0.0.0.0, ::1) or * for every interface");
        return Loopback;
    }
}
