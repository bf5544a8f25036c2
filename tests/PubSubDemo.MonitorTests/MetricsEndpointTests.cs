using System.Diagnostics;
using System.Net;
using Xunit.Abstractions;

namespace PubSubDemo.MonitorTests;

/// <summary>/metrics and /health on METRICS_PORT, as Prometheus and a container healthcheck use them.</summary>
[Collection(ServerCollection.Name)]
public sealed class MetricsEndpointTests(RedisServerFixture server, ITestOutputHelper output)
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private static readonly string[] Sources = ["channel", "queue", "stream"];

    [Fact]
    public async Task Metrics_endpoint_exposes_published_received_and_latency_per_source()
    {
        output.WriteLine($"Server: {server.Kind}");
        var subscriberPort = RedisServerProcess.FreePort();
        var publisherPort = RedisServerProcess.FreePort();
        var names = new Dictionary<string, string?>
        {
            ["REDIS_ADDR"] = server.Address,
            ["PATTERN"] = "all",
            ["CHANNEL"] = TestNames.Unique("channel"),
            ["QUEUE"] = TestNames.Unique("queue"),
            ["STREAM"] = TestNames.Unique("stream"),
        };

        await using var processes = new MonitorProcesses(output);
        processes.Start("subscriber", "Subscriber", new Dictionary<string, string?>(names) { ["METRICS_PORT"] = subscriberPort.ToString() });
        await WaitForStatusAsync(subscriberPort, "/health/ready", HttpStatusCode.OK);
        processes.Start("publisher", "Publisher", new Dictionary<string, string?>(names) { ["METRICS_PORT"] = publisherPort.ToString(), ["PUBLISH_RATE"] = "100" });

        string subscriberMetrics = "";
        await Wait.UntilAsync(async () =>
        {
            subscriberMetrics = await GetAsync(subscriberPort, "/metrics");
            return Sources.All(source =>
                Prometheus.Sample(subscriberMetrics, "pubsubdemo_messages_received_total", $"source=\"{source}\"") > 0 &&
                Prometheus.Sample(subscriberMetrics, "pubsubdemo_message_latency_seconds_count", $"source=\"{source}\"") > 0);
        }, "the subscriber's /metrics counts received messages and their latency for channel, queue and stream", TimeSpan.FromSeconds(30));

        var publisherMetrics = await GetAsync(publisherPort, "/metrics");
        output.WriteLine(string.Join('\n', publisherMetrics.Split('\n').Where(l => l.StartsWith("pubsubdemo_", StringComparison.Ordinal))));
        Assert.True(Prometheus.Sample(publisherMetrics, "pubsubdemo_messages_published_total") > 0);
        Assert.Equal(0, Prometheus.Sample(subscriberMetrics, "pubsubdemo_messages_malformed_total", "source=\"queue\""));
        Assert.NotNull(Prometheus.Sample(subscriberMetrics, "pubsubdemo_message_latency_seconds_bucket", "source=\"queue\"", "le=\"0.1\""));
        Assert.NotNull(Prometheus.Sample(subscriberMetrics, "pubsubdemo_queue_length"));
        Assert.NotNull(Prometheus.Sample(subscriberMetrics, "pubsubdemo_pubsub_gaps"));

        Assert.Contains("\"Healthy\"", await GetAsync(subscriberPort, "/health/live"), StringComparison.Ordinal);
        Assert.Contains("\"Healthy\"", await GetAsync(publisherPort, "/health/ready"), StringComparison.Ordinal);

        // The compose healthcheck: the service binary in probe mode, no curl in the image.
        Assert.Equal(0, await ProbeAsync("Subscriber", "METRICS_PORT", subscriberPort, "all", output));
        Assert.Equal(0, await ProbeAsync("Publisher", "METRICS_PORT", publisherPort, "ready", output));
        Assert.Equal(1, await ProbeAsync("Subscriber", "METRICS_PORT", RedisServerProcess.FreePort(), "live", output));
    }

    /// <summary>Runs <c>dotnet &lt;service&gt;.dll --healthcheck &lt;kind&gt;</c> as a compose healthcheck does; returns its exit code.</summary>
    internal static async Task<int> ProbeAsync(string service, string portVariable, int port, string kind, ITestOutputHelper output)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(ServiceProcess.FindServiceDll(service));
        start.ArgumentList.Add("--healthcheck");
        start.ArgumentList.Add(kind);
        start.Environment["METRICS_PORT"] = "";
        start.Environment[portVariable] = port.ToString();
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        output.WriteLine($"{service} --healthcheck {kind} on port {port}: exit {process.ExitCode} {await stdout}{await stderr}");
        return process.ExitCode;
    }

    internal static async Task<string> GetAsync(int port, string path) =>
        await Http.GetStringAsync(new Uri($"http://127.0.0.1:{port}{path}"));

    internal static async Task WaitForStatusAsync(int port, string path, HttpStatusCode status, TimeSpan? timeout = null) =>
        await Wait.UntilAsync(async () =>
        {
            try
            {
                using var response = await Http.GetAsync(new Uri($"http://127.0.0.1:{port}{path}"));
                return response.StatusCode == status;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, $"{path} on port {port} answers {(int)status}", timeout);
}
