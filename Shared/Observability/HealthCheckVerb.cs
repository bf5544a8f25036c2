using PubSubDemo.Messaging.Observability;
using System.Net.Sockets;
using PubSubDemo.Shared.Hosting;

namespace PubSubDemo.Shared.Observability;

/// <summary>
/// <c>dotnet PubSubDemo.Subscriber.dll --healthcheck live|ready|all</c>: asks the running service on its port and
/// exits 0 when healthy (or degraded), 1 when not, printing the answer. The runtime images have no curl; this lets a
/// compose healthcheck use the binary that is already there. <paramref name="port"/> is null when the service serves
/// no health endpoint; <paramref name="portVariable"/> names the setting that would give it one.
/// </summary>
internal sealed class HealthCheckVerb(int? port, string portVariable) : IServiceVerb
{
    public const string VerbName = "healthcheck";

    public string Name => VerbName;

    public async Task<int> RunAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var kind = arguments.Count > 0 ? arguments[0] : "";
        var path = kind switch
        {
            "live" => "/health/live",
            "ready" => "/health/ready",
            "all" => "/health",
            _ => null,
        };
        if (path is null)
        {
            await Console.Error.WriteLineAsync($"error: --{VerbName} '{kind}' is not valid: use live, ready or all.");
            return 2;
        }

        if (port is null)
        {
            await Console.Error.WriteLineAsync($"error: --{VerbName} needs {portVariable}, the port the service serves /health on.");
            return 2;
        }

        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
            using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{port}{path}"), cancellationToken);
            await Console.Out.WriteLineAsync(await response.Content.ReadAsStringAsync(cancellationToken));
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception ex) when (ex is HttpRequestException or SocketException or TaskCanceledException or IOException)
        {
            await Console.Error.WriteLineAsync($"unhealthy: no answer on port {port}: {ex.GetBaseException().Message}");
            return 1;
        }
    }
}
