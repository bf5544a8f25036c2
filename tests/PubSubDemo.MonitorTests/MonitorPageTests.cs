using System.Globalization;
using System.Net;
using System.Text.Json;
using PubSubDemo.Shared.Contract;
using PubSubDemo.Messaging.Contract;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace PubSubDemo.MonitorTests;

/// <summary>The monitor as a person sees it: a real server, real processes, the page in a real headless Chromium.</summary>
public sealed class MonitorPageTests(ITestOutputHelper output)
{
    /// <summary>The screenshot the README shows.</summary>
    public static string ScreenshotPath => Repository.File("docs/monitor.png");

    [Fact]
    public async Task Monitor_page_shows_both_subscribers_with_rising_counts_the_message_flow_and_drops_one_that_stops()
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

        await using var browser = await HeadlessChromium.StartAsync(1400, 1500);
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

        // The flow table: a message of ours on the channel reaches both subscribers, one on the queue exactly one, and
        // a malformed queue item shows among the dead letters with its reason.
        var flow = await PublishOwnMessagesAsync(server.Address, names["CHANNEL"]!, names["QUEUE"]!);
        var flowRows = await WaitForFlowAsync(
            browser,
            output,
            rows => rows.Any(r => r.Id == flow.Channel && r.HandledBy == "subscriber-1 subscriber-2")
                && rows.Any(r => r.Id == flow.Queue && r.HandledBy is "subscriber-1" or "subscriber-2")
                && rows.Any(r => r.Source == "dead:queue" && r.HandledBy.StartsWith("not a JSON message", StringComparison.Ordinal)),
            "our channel message shows both subscribers, our queue message one, and the malformed item is a dead letter");
        Assert.Equal("channel", flowRows.First(r => r.Id == flow.Channel).Source);
        Assert.Equal("queue", flowRows.First(r => r.Id == flow.Queue).Source);

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

    /// <summary>
    /// Sends one message in our format to the channel and one to the queue, stamped a minute ahead, as a client with a
    /// clock ahead of the publisher's would: the first of their second for every subscriber, so the flow sample takes
    /// them whatever the publisher sends, and the newest on the page (which lists the newest 12 by their timestamp)
    /// for the rest of the test, however fast the publisher stamps its own.
    /// Also pushes an item that is not JSON, for the dead letters.
    /// </summary>
    private static async Task<(string Channel, string Queue)> PublishOwnMessagesAsync(string address, string channel, string queue)
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(address);
        var database = redis.GetDatabase();
        var next = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 60);
        var ids = (Channel: $"page-test-{Guid.NewGuid():N}", Queue: $"page-test-{Guid.NewGuid():N}");
        Assert.Equal(2, await database.PublishAsync(RedisChannel.Literal(channel), MessageReader.Write(new Message(ids.Channel, "from the page test", next, "page-test"))));
        await database.ListRightPushAsync(queue, MessageReader.Write(new Message(ids.Queue, "from the page test", next, "page-test")));
        await database.ListRightPushAsync(queue, "this is not JSON");
        return ids;
    }

    /// <summary>Reads the flow and dead-letter rows off the page until <paramref name="condition"/> holds (a dead letter's source is "dead:queue", its reason in HandledBy).</summary>
    private static async Task<List<FlowRow>> WaitForFlowAsync(HeadlessChromium browser, ITestOutputHelper output, Func<List<FlowRow>, bool> condition, string what)
    {
        List<FlowRow> rows = [];
        try
        {
            await WaitAsync();
        }
        finally
        {
            output.WriteLine($"Flow and dead-letter rows: {string.Join("; ", rows)}");
        }

        return rows;

        Task WaitAsync() => Wait.UntilAsync(async () =>
        {
            var json = await browser.EvaluateAsync(
                "JSON.stringify([...document.querySelectorAll('#flow tr[data-id]')].map(r => ({ id: r.dataset.id, source: r.dataset.source, handledBy: r.dataset.handledBy }))"
                + ".concat([...document.querySelectorAll('#dead tr[data-source]')].map(r => ({ id: r.dataset.id, source: 'dead:' + r.dataset.source, handledBy: r.querySelector('.reason').textContent }))))");
            rows = json is null ? [] : JsonSerializer.Deserialize<List<FlowRow>>(json, JsonOptions) ?? [];
            return condition(rows);
        }, what, TimeSpan.FromSeconds(45));
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

    private sealed record FlowRow(string Id, string Source, string HandledBy);
}
