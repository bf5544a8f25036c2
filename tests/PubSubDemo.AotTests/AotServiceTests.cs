using System.Net;
using Xunit.Abstractions;

namespace PubSubDemo.AotTests;

/// <summary>
/// The Native AOT binaries end to end, as the images and the demo run them: every pattern from publisher to
/// subscriber, the health endpoint and its --healthcheck verb, the monitor's page and feed, and a bad setting's exit 2.
/// Trimming that dropped a constructor, a JSON type or a logging source would fail here, not in a user's container.
/// </summary>
[Collection(AotCollection.Name)]
public sealed class AotServiceTests(AotBinaries binaries, RedisServerFixture server, ITestOutputHelper output)
{
    [Theory]
    [InlineData("pubsub")]
    [InlineData("queue")]
    [InlineData("stream")]
    public async Task Native_publisher_and_subscriber_deliver_every_message(string pattern)
    {
        WriteHeader();
        await NativeRun.DeliverAsync(binaries, output, pattern, TestNames.Unique($"aot-{pattern}"), new Dictionary<string, string?> { ["REDIS_ADDR"] = server.Address });
    }

    [Fact]
    public async Task Native_subscriber_serves_health_and_metrics_and_answers_its_healthcheck_verb()
    {
        WriteHeader();
        var port = NativeRun.FreePort();
        var names = TestNames.Unique("aot-health");
        await using var subscriber = ServiceProcess.StartExecutable(binaries.PathOf("Subscriber"), new Dictionary<string, string?>
        {
            ["REDIS_ADDR"] = server.Address, ["PATTERN"] = "queue", ["QUEUE"] = names, ["METRICS_PORT"] = $"{port}",
        });
        try
        {
            await subscriber.WaitForOutputAsync($"Consuming queue '{names}'");
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            await Wait.UntilAsync(async () => (await TryGetAsync(http, "/health/ready")).Status == HttpStatusCode.OK, "/health/ready answers 200");
            var metrics = await TryGetAsync(http, "/metrics");
            Assert.Equal(HttpStatusCode.OK, metrics.Status);
            Assert.Contains("pubsubdemo_messages_received", metrics.Body, StringComparison.Ordinal);

            await using var verb = ServiceProcess.StartExecutable(binaries.PathOf("Subscriber"), new Dictionary<string, string?> { ["METRICS_PORT"] = $"{port}" }, "--healthcheck", "ready");
            Assert.Equal(0, await verb.WaitForExitAsync(NativeRun.Exit));
            NativeRun.Write(output, "--healthcheck ready", verb);

            subscriber.Terminate();
            Assert.Equal(0, await subscriber.WaitForExitAsync(NativeRun.Exit));
        }
        finally
        {
            NativeRun.Write(output, "subscriber", subscriber);
        }
    }

    [Fact]
    public async Task Native_monitor_serves_its_page_snapshot_and_health()
    {
        WriteHeader();
        var port = NativeRun.FreePort();
        await using var monitor = ServiceProcess.StartExecutable(binaries.PathOf("Monitor"), new Dictionary<string, string?>
        {
            ["REDIS_ADDR"] = server.Address, ["MONITOR_PORT"] = $"{port}", ["CHANNEL"] = TestNames.Unique("aot-monitor"),
        });
        try
        {
            await monitor.WaitForOutputAsync("Monitor at ");
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            var page = await TryGetAsync(http, "/");
            Assert.Equal(HttpStatusCode.OK, page.Status);
            Assert.Contains("<html", page.Body, StringComparison.OrdinalIgnoreCase);
            await Wait.UntilAsync(async () => (await TryGetAsync(http, "/api/snapshot")).Status == HttpStatusCode.OK, "the first snapshot");
            Assert.StartsWith("{", (await TryGetAsync(http, "/api/snapshot")).Body, StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.OK, (await TryGetAsync(http, "/health/ready")).Status);

            await using var verb = ServiceProcess.StartExecutable(binaries.PathOf("Monitor"), new Dictionary<string, string?> { ["MONITOR_PORT"] = $"{port}" }, "--healthcheck", "ready");
            Assert.Equal(0, await verb.WaitForExitAsync(NativeRun.Exit));

            monitor.Terminate();
            Assert.Equal(0, await monitor.WaitForExitAsync(NativeRun.Exit));
        }
        finally
        {
            NativeRun.Write(output, "monitor", monitor);
        }
    }

    [Theory]
    [InlineData("Publisher", "PATTERN")]
    [InlineData("Subscriber", "PATTERN")]
    [InlineData("Monitor", "MONITOR_PORT")]
    public async Task Native_service_with_a_bad_setting_exits_2_naming_it(string service, string name)
    {
        WriteHeader();
        await using var process = ServiceProcess.StartExecutable(binaries.PathOf(service), new Dictionary<string, string?>
        {
            ["REDIS_ADDR"] = server.Address, [name] = "carrier-pigeon",
        });
        var exitCode = await process.WaitForExitAsync(NativeRun.Exit);
        NativeRun.Write(output, service, process);

        Assert.Equal(2, exitCode);
        Assert.Contains(process.ErrorOutput, line => line.StartsWith($"error: {name}='carrier-pigeon' is not valid", StringComparison.Ordinal));
    }

    private static async Task<(HttpStatusCode Status, string Body)> TryGetAsync(HttpClient http, string path)
    {
        try
        {
            using var response = await http.GetAsync(new Uri(path, UriKind.Relative));
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }
        catch (HttpRequestException)
        {
            return (0, "");
        }
    }

    private void WriteHeader()
    {
        output.WriteLine($"Server: {server.Description}");
        foreach (var line in binaries.Log)
        {
            output.WriteLine(line);
        }
    }
}
