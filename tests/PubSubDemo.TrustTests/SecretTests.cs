using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace PubSubDemo.TrustTests;

/// <summary>
/// The password, from REDIS_ADDR or from REDIS_PASSWORD_FILE, never shows: not in a log line, an error line, /metrics,
/// the health output or the monitor page. Everything the real processes printed and served is searched for it.
/// </summary>
public sealed class SecretTests(ITestOutputHelper output)
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    [Theory]
    [InlineData("REDIS_ADDR")]
    [InlineData("REDIS_PASSWORD_FILE")]
    public async Task The_password_appears_in_nothing_the_processes_print_or_serve(string source)
    {
        output.WriteLine($"Server: {RedisServerProcess.ProgramName} started by the test");
        var password = $"s3cret-{Guid.NewGuid():N}";
        var wrongPassword = $"wr0ng-{Guid.NewGuid():N}";
        await using var server = await RedisServerProcess.StartAsync();
        await using (var setup = await ConnectionMultiplexer.ConnectAsync($"{server.Address},allowAdmin=true"))
        {
            await setup.GetDatabase().ExecuteAsync("CONFIG", "SET", "requirepass", password);
        }

        var secretFile = Path.GetTempFileName();
        await File.WriteAllTextAsync(secretFile, password + "\n");
        try
        {
            var address = source == "REDIS_ADDR" ? $"redis://:{password}@127.0.0.1:{server.Port}" : server.Address;
            var common = new Dictionary<string, string?>
            {
                ["REDIS_ADDR"] = address,
                ["REDIS_PASSWORD_FILE"] = source == "REDIS_PASSWORD_FILE" ? secretFile : null,
                ["PATTERN"] = "all",
                ["CHANNEL"] = TestNames.Unique("secret"),
                ["QUEUE"] = TestNames.Unique("secret"),
                ["STREAM"] = TestNames.Unique("secret"),
                ["LOG_MESSAGES"] = "true",
                ["SUMMARY_INTERVAL"] = "1s",
                ["MONITOR_REPORT"] = "true",
                ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "",
                ["ASPNETCORE_URLS"] = "",
                ["ASPNETCORE_HTTP_PORTS"] = "",
            };
            int subscriberMetrics = RedisServerProcess.FreePort(), publisherMetrics = RedisServerProcess.FreePort(), monitorPort = RedisServerProcess.FreePort();
            var processes = new List<ServiceProcess>();
            ServiceProcess Start(string service, params (string Name, string? Value)[] extra)
            {
                var environment = new Dictionary<string, string?>(common);
                foreach (var (name, value) in extra)
                {
                    environment[name] = value;
                }

                var process = ServiceProcess.Start(service, environment);
                processes.Add(process);
                return process;
            }

            var served = new List<string>();
            try
            {
                var subscriber = Start("Subscriber", ("METRICS_PORT", subscriberMetrics.ToString()));
                var monitor = Start("Monitor", ("MONITOR_PORT", monitorPort.ToString()));
                var publisher = Start("Publisher", ("METRICS_PORT", publisherMetrics.ToString()), ("PUBLISH_INTERVAL", "100ms"));
                // A wrong password is a password too: the refusal is reported without it.
                var refused = Start("Publisher", ("REDIS_ADDR", $"redis://:{wrongPassword}@127.0.0.1:{server.Port}"), ("REDIS_PASSWORD_FILE", null));
                // A bad setting's error line shows the address, but not the password in it.
                var invalid = Start("Publisher", ("REDIS_ADDR", $"redis://:{password}@127.0.0.1:{server.Port}/not-a-database"), ("REDIS_PASSWORD_FILE", null));

                Assert.Equal(2, await invalid.WaitForExitAsync(TimeSpan.FromSeconds(30)));
                Assert.Contains(invalid.ErrorOutput, line => line.StartsWith("error: REDIS_ADDR='redis://:***@127.0.0.1", StringComparison.Ordinal));
                await subscriber.WaitForOutputAsync("[Received #3 from stream]", TimeSpan.FromSeconds(30));
                await refused.WaitForOutputAsync("Waiting for the server at", TimeSpan.FromSeconds(30));
                await monitor.WaitForOutputAsync("Connected to", TimeSpan.FromSeconds(30));
                Assert.Contains(subscriber.Output, line => line.Contains($"Serving /metrics, /health/live and /health/ready on 127.0.0.1 port {subscriberMetrics}", StringComparison.Ordinal));

                foreach (var port in new[] { subscriberMetrics, publisherMetrics })
                {
                    foreach (var path in new[] { "/metrics", "/health", "/health/live", "/health/ready" })
                    {
                        served.Add(await GetAsync(port, path));
                    }
                }

                await Wait.UntilAsync(async () => (await GetAsync(monitorPort, "/api/snapshot")).Contains("\"role\":\"publisher\"", StringComparison.Ordinal), "the monitor shows the publisher");
                foreach (var path in new[] { "/", "/api/snapshot", "/health", "/health/ready", "/health/live" })
                {
                    served.Add(await GetAsync(monitorPort, path));
                }

                await AssertNotServedBeyondLoopbackAsync(subscriberMetrics);
            }
            finally
            {
                foreach (var process in processes.Where(p => !p.HasExited))
                {
                    process.Terminate();
                }

                foreach (var process in processes)
                {
                    await process.WaitForExitAsync(TimeSpan.FromSeconds(20));
                    await process.DisposeAsync();
                }
            }

            var printed = processes.SelectMany(p => p.Output).ToList();
            output.WriteLine($"{printed.Count} lines printed, {served.Sum(s => s.Length)} characters served");
            foreach (var line in printed.Where(l => l.Contains("Waiting", StringComparison.Ordinal) || l.StartsWith("error", StringComparison.Ordinal)).Take(5))
            {
                output.WriteLine(line);
            }

            Assert.True(served.Sum(s => s.Length) > 1000, "the endpoints served something to search");
            foreach (var secret in new[] { password, wrongPassword })
            {
                Assert.DoesNotContain(printed, line => line.Contains(secret, StringComparison.Ordinal));
                Assert.DoesNotContain(served, body => body.Contains(secret, StringComparison.Ordinal));
            }
        }
        finally
        {
            File.Delete(secretFile);
        }
    }

    private static async Task<string> GetAsync(int port, string path)
    {
        using var response = await Http.GetAsync($"http://127.0.0.1:{port}{path}");
        return $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
    }

    /// <summary>Outside a container the listener binds loopback only: another local address gets no answer.</summary>
    private async Task AssertNotServedBeyondLoopbackAsync(int port)
    {
        var other = NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));
        if (other is null)
        {
            output.WriteLine("No non-loopback IPv4 address on this machine: the bind is checked by the startup line only");
            return;
        }

        using var client = new TcpClient();
        var refused = await Assert.ThrowsAsync<SocketException>(async () => await client.ConnectAsync(other, port));
        output.WriteLine($"{other}:{port}: {refused.SocketErrorCode}");
    }
}
