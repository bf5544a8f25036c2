using System.Globalization;
using PubSubDemo.Shared.Observability;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace PubSubDemo.MonitorTests;

/// <summary>
/// The monitor's Outbox panel: hidden while no process reports an outbox, then one row per process that does, from the
/// report samples/Orders writes (Shared/Observability/MonitorReport.cs), with the difference between saved and applied.
/// </summary>
public sealed class MonitorPageOutboxTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Monitor_page_shows_the_outbox_panel_with_saved_sent_unsent_parked_applied_and_the_difference()
    {
        await using var server = await RedisServerProcess.StartAsync();
        output.WriteLine($"Server: redis-server process on port {server.Port}");
        await using var processes = new MonitorProcesses(output);
        var monitor = processes.Start("monitor", "Monitor", new Dictionary<string, string?> { ["REDIS_ADDR"] = server.Address, ["MONITOR_PORT"] = "0", ["PATTERN"] = "queue" });
        await monitor.WaitForOutputAsync("Monitor at http://localhost:", TimeSpan.FromSeconds(30));
        var port = int.Parse(monitor.Output.First(l => l.Contains("Monitor at http://localhost:", StringComparison.Ordinal)).Split(':')[^1], CultureInfo.InvariantCulture);
        await using var browser = await HeadlessChromium.StartAsync(1400, 900);
        await browser.NavigateAsync(new Uri($"http://127.0.0.1:{port}/"));
        await Wait.UntilAsync(async () => await browser.EvaluateAsync("last ? 'yes' : 'no'") == "yes", "the page has its first snapshot");
        Assert.Equal("true", await browser.EvaluateAsync("String(document.getElementById('outbox-panel').hidden)"));

        // The order service's report as it writes it: 120 orders saved, 117 sent, 3 unsent (the oldest 2.5 s old), 1 parked, 110 applied.
        var instance = TestNames.Unique("order-service");
        var report = new MonitorReport
        {
            Role = MonitorReport.PublisherRole, Instance = instance, Pattern = "queue", StartedAt = DateTimeOffset.UtcNow, At = DateTimeOffset.UtcNow,
            Count = 120, Outbox = new OutboxReport("orders", Depth: 3, OldestUnsentAgeSeconds: 2.5, Sent: 117, Parked: 1) { Saved = 120, Applied = 110 },
        };
        await using var client = await ConnectionMultiplexer.ConnectAsync(server.Address);
        await client.GetDatabase().StringSetAsync(MonitorKeys.For(instance), report.ToUtf8Json(), TimeSpan.FromMinutes(1));

        string row = "";
        await Wait.UntilAsync(async () =>
        {
            row = await browser.EvaluateAsync($"document.querySelector('#outbox tr[data-instance=\"{instance}\"]')?.innerText ?? ''") ?? "";
            return row.Length > 0;
        }, "the outbox panel shows the order service's row", TimeSpan.FromSeconds(30));
        output.WriteLine($"Row: {row}");
        Assert.Equal("false", await browser.EvaluateAsync("String(document.getElementById('outbox-panel').hidden)"));
        Assert.Equal([instance, "orders", "120", "117", "3", "2.5 s", "1", "110", "10"], row.Split('\t').Select(c => c.Trim()));
    }
}
