using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace PubSubDemo.AppHost;

/// <summary>
/// Healthy when the server answers PING (or asks for a password, which also means it is up): what the compose
/// file's `redis-cli ping` health check asks, without needing redis-cli on the host.
/// </summary>
internal sealed class PingHealthCheck(ReferenceExpression address) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var hostAndPort = await address.GetValueAsync(cancellationToken) ?? "";
        var colon = hostAndPort.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(hostAndPort.AsSpan(colon + 1), out var port))
        {
            return HealthCheckResult.Unhealthy($"no address yet ({hostAndPort})");
        }

        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            using var client = new TcpClient();
            await client.ConnectAsync(hostAndPort[..colon], port, timeout.Token);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), timeout.Token);
            var buffer = new byte[64];
            var read = await stream.ReadAsync(buffer, timeout.Token);
            var answer = Encoding.ASCII.GetString(buffer, 0, read);
            return answer.StartsWith("+PONG", StringComparison.Ordinal) || answer.StartsWith("-NOAUTH", StringComparison.Ordinal)
                ? HealthCheckResult.Healthy($"{hostAndPort} answers PING")
                : HealthCheckResult.Unhealthy($"{hostAndPort} answered '{answer.Trim()}'");
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy($"{hostAndPort} does not answer: {ex.Message}");
        }
    }
}
