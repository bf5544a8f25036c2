using System.Globalization;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace PubSubDemo.MonitorTests;

/// <summary>The monitor page for seed 001's notification service: a subscriber on two channels shows each channel's count and rate.</summary>
[Collection(ServerCollection.Name)]
public sealed partial class MonitorPageChannelTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Monitor_page_shows_a_subscriber_on_two_channels_with_each_channels_rising_count_and_the_filtered_ones()
    {
        // Its own server, as the page test: the page shows exactly these processes.
        await using var server = await RedisServerProcess.StartAsync();
        output.WriteLine($"Server: redis-server process on port {server.Port}");
        await using var processes = new MonitorProcesses(output);
        var monitor = processes.Start("monitor", "Monitor", new Dictionary<string, string?> { ["REDIS_ADDR"] = server.Address, ["MONITOR_PORT"] = "0", ["PATTERN"] = "pubsub" });
        var notification = processes.Start("notification-service", "Subscriber", new Dictionary<string, string?>
        {
            ["REDIS_ADDR"] = server.Address, ["PATTERN"] = "pubsub", ["INSTANCE_NAME"] = "notification-service", ["CHANNEL"] = "order,shipment",
            ["FILTER"] = "content!=Message #3",
        });
        await notification.WaitForOutputAsync("Subscribed to channel 'shipment'");
        foreach (var (name, channel) in new[] { ("order-service", "order"), ("shipping-service", "shipment") })
        {
            processes.Start(name, "Publisher", new Dictionary<string, string?>
            {
                ["REDIS_ADDR"] = server.Address, ["PATTERN"] = "pubsub", ["INSTANCE_NAME"] = name, ["CHANNEL"] = channel, ["PUBLISH_RATE"] = "20",
            });
        }

        await monitor.WaitForOutputAsync("Monitor at http://localhost:", TimeSpan.FromSeconds(30));
        var port = int.Parse(monitor.Output.First(l => l.Contains("Monitor at http://localhost:", StringComparison.Ordinal)).Split(':')[^1], CultureInfo.InvariantCulture);
        await using var browser = await HeadlessChromium.StartAsync(1400, 900);
        await browser.NavigateAsync(new Uri($"http://127.0.0.1:{port}/"));

        // What a person reads in the subscriber's row, e.g. "channel 57 (2 filtered) · per channel: order 29 at 20/s (1 filtered), shipment 28 at 20/s (1 filtered)".
        string text = "";
        Dictionary<string, long> first = [];
        await Wait.UntilAsync(async () =>
        {
            text = await RowAsync(browser);
            first = Counts(text);
            return first.Count == 2 && first.Values.All(c => c > 3);
        }, "the page shows the notification service's count on each channel, past the filtered message", TimeSpan.FromSeconds(45));
        output.WriteLine($"Row: {text}");
        Assert.Equal(["order", "shipment"], first.Keys.Order());
        Assert.Matches(@"order \d+ at [\d.]+/s \(1 filtered\)", text);
        Assert.Matches(@"shipment \d+ at [\d.]+/s \(1 filtered\)", text);

        await Wait.UntilAsync(async () =>
        {
            text = await RowAsync(browser);
            var now = Counts(text);
            return first.All(f => now.GetValueOrDefault(f.Key) > f.Value);
        }, "each channel's count rises on the page", TimeSpan.FromSeconds(45));
        output.WriteLine($"Later: {text}");
    }

    /// <summary>The notification service's row as a person reads it: its sources and channels.</summary>
    private static async Task<string> RowAsync(HeadlessChromium browser) =>
        await browser.EvaluateAsync("document.querySelector('#processes tr[data-instance=\"notification-service\"] td.sources')?.textContent ?? ''") ?? "";

    private static Dictionary<string, long> Counts(string row) =>
        PerChannel().Matches(row).ToDictionary(m => m.Groups["name"].Value, m => long.Parse(m.Groups["count"].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture));

    [GeneratedRegex(@"(?<name>order|shipment) (?<count>[\d,]+) at")]
    private static partial Regex PerChannel();
}
