using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using PubSubDemo.Shared.Configuration;

namespace PubSubDemo.Shared.Observability;

/// <summary>
/// <c>dotnet PubSubDemo.Subscriber.dll --healthcheck live|ready|all</c>: asks the running service on METRICS_PORT
/// and exits 0 when healthy (or degraded), 1 when not, printing the answer. The runtime images have no curl; this
/// lets a compose healthcheck use the binary that is already there.
/// </summary>
public static class HealthProbe
{
    public const string Argument = "healthcheck";

    /// <summary>
    /// The probe's exit code when the command line asked for a probe; null to start the service as usual.
    /// <paramref name="port"/> is where the service answers, METRICS_PORT when not given.
    /// </summary>
    public static int? RunIfRequested(IConfiguration configuration, int? port = null)
    {
        if (configuration[Argument] is not { Length: > 0 } kind)
        {
            return null;
        }

        var path = kind switch
        {
            "live" => "/health/live",
            "ready" => "/health/ready",
            "all" => "/health",
            _ => null,
        };
        if (path is null)
        {
            Console.Error.WriteLine($"error: --{Argument} '{kind}' is not valid: use live, ready or all.");
            return 2;
        }

        var settings = new ObservabilitySettings();
        settings.Load(new SettingsReader(configuration));
        port ??= settings.MetricsPort;
        if (port is null)
        {
            Console.Error.WriteLine($"error: --{Argument} needs {ObservabilitySettings.MetricsPortVariable}, the port the service serves /health on.");
            return 2;
        }

        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
            using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{port}{path}");
            using var response = http.Send(request);
            using var body = new StreamReader(response.Content.ReadAsStream());
            Console.Out.WriteLine(body.ReadToEnd());
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception ex) when (ex is HttpRequestException or SocketException or TaskCanceledException or IOException)
        {
            Console.Error.WriteLine($"unhealthy: no answer on port {port}: {ex.GetBaseException().Message}");
            return 1;
        }
    }
}
