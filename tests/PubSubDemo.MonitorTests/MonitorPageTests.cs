using System.Globalization;
using System.Net;
using System.Text.Json;
using Xunit.Abstractions;

namespace PubSubDemo.MonitorTests;

/// <summary>The monitor as a person sees it: a real server, real processes, the page in a real headless Chromium.</summary>
public sealed class MonitorPageTests(ITestOutputHelper output)
{
    /// <summary>The screenshot the README shows.</summary>
    public static string ScreenshotPath => Repository.File("docs/monitor.png");

    [Fact]
    public async Task Monitor_page_shows_both_subscribers_with_rising_counts_and_drops_one_that_stops()
    {
        // Its own server: the page and its screenshot show exactly the processes this test starts.
        await using var server = await RedisServerProcess.StartAsync();
        output.WriteLine($"Server: redis-server process on port {server.Port}");
        var names = new Dictionary<string, string?>
        {
            ["REDIS_ADDR"] = server.Address,
            ["PATTERN"] = "all",
            ["CHANNEL"] = TestNames.Unique("channel"),
            ["QUEUE"] = "orders",
            ["STREAM"] = "events",
        };

        await using var processes = new MonitorProcesses(output);
        var monitor = processes.Start("monitor", "Monitor", With(names, ("MONITOR_PORT", "0"), ("MONITOR_HISTORY", "30s")));
        var first = processes.Start("subscriber-1", "Subscriber", With(names, ("INSTANCE_NAME", "subscriber-1")));
        var second = processes.Start("subscriber-2", "Subscriber", With(names, ("INSTANCE_NAME", "subscriber-2")));
        processes.Start("publisher", "Publisher", With(names, ("INSTANCE_NAME", "publisher-1"), ("PUBLISH_RATE", "40")));
        // Port 0: the monitor binds a port the system picks, so no other test can take it between choosing and binding.
        await monitor.WaitForOutputAsync("Monitor at http://localhost:", TimeSpan.FromSeconds(30));
        var monitorPort = int.Parse(monitor.Output.First(l => l.Contains("Monitor at http://localhost:", StringComparison.Ordinal)).Split(':')[^1], CultureInfo.InvariantCulture);
        await MetricsEndpointTests.WaitForStatusAsync(monitorPort, "/health/ready", HttpStatusCode.OK);
        Assert.Equal(0, await MetricsEndpointTests.ProbeAsync("Monitor", "MONITOR_PORT", monitorPort, "ready", output));

        await using var browser = await HeadlessChromium.StartAsync(1400, 690);
        await browser.NavigateAsync(new Uri($"http://127.0.0.1:{monitorPort}/"));

        var seen = await WaitForRowsAsync(browser, rows => rows.Count(r => r.Role == "subscriber" && r.Count > 0) == 2, "both subscribers show with a count above zero");
        var before = seen.Where(r => r.Role == "subscriber").ToDictionary(r => r.Instance, r => r.Count);
        output.WriteLine($"First counts: {string.Join(", ", before.Select(b => $"{b.Key}={b.Value}"))}");
        Assert.Equal(["subscriber-1", "subscriber-2"], before.Keys.Order());
        Assert.Contains(seen, r => r.Role == "publisher" && r.Instance == "publisher-1");

        var after = await WaitForRowsAsync(
            browser,
            rows => before.All(b => rows.Any(r => r.Instance == b.Key && r.Count > b.Value)),
            "both subscribers' counts rise on the page");
        output.WriteLine($"Later counts: {string.Join(", ", after.Where(r => r.Role == "subscriber").Select(r => $"{r.Instance}={r.Count}"))}");

        // Let the chart fill its 30 s window, so the screenshot shows a steady history rather than start-up.
        await Task.Delay(TimeSpan.FromSeconds(30));
        var chartPoints = await browser.EvaluateAsync("String(history.length)");
        output.WriteLine($"Chart points: {chartPoints}");
        await browser.ScreenshotAsync(ScreenshotPath);
        output.WriteLine($"Screenshot: {ScreenshotPath}");
        Assert.True(new FileInfo(ScreenshotPath).Length > 10_000, "the screenshot is a real picture");

        // A replica that stops leaves the page by itself: no configuration names the processes.
        second.Terminate();
        Assert.Equal(0, await second.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        await WaitForRowsAsync(browser, rows => rows.Any(r => r.Instance == "subscriber-1") && rows.All(r => r.Instance != "subscriber-2"), "subscriber-2 leaves the page after it stopped");
        Assert.False(first.HasExited);
    }

    private static Dictionary<string, string?> With(Dictionary<string, string?> names, params (string Name, string Value)[] extra)
    {
        var result = new Dictionary<string, string?>(names);
        foreach (var (name, value) in extra)
        {
            result[name] = value;
        }

        return result;
    }

    /// <summary>Reads the process rows off the page (what a person reads) until <paramref name="condition"/> holds.</summary>
    private static async Task<List<PageRow>> WaitForRowsAsync(HeadlessChromium browser, Func<List<PageRow>, bool> condition, string what)
    {
        List<PageRow> rows = [];
        await Wait.UntilAsync(async () =>
        {
            var json = await browser.EvaluateAsync(
                "JSON.stringify([...document.querySelectorAll('#processes tr[data-role]')].map(r => ({ role: r.dataset.role, instance: r.dataset.instance, count: Number(r.dataset.count) })))");
            rows = json is null ? [] : JsonSerializer.Deserialize<List<PageRow>>(json, JsonOptions) ?? [];
            return condition(rows);
        }, what, TimeSpan.FromSeconds(45));
        return rows;
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    private sealed record PageRow(string Role, string Instance, long Count);
}
