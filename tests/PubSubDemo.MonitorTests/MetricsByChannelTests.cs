using System.Net;
using Xunit.Abstractions;

namespace PubSubDemo.MonitorTests;

/// <summary>/metrics for a subscriber on a CHANNEL list with a FILTER: the counts per channel, by their channel label, and the filtered count.</summary>
[Collection(ServerCollection.Name)]
public sealed class MetricsByChannelTests(RedisServerFixture server, ITestOutputHelper output)
{
    [Fact]
    public async Task Metrics_endpoint_counts_each_channel_of_the_list_under_its_channel_label_and_the_filtered_messages()
    {
        output.WriteLine($"Server: {server.Kind}");
        const int count = 5;
        var port = RedisServerProcess.FreePort();
        string order = TestNames.Unique("order"), shipment = TestNames.Unique("shipment");
        await using var processes = new MonitorProcesses(output);
        var subscriber = processes.Start("subscriber", "Subscriber", new Dictionary<string, string?>
        {
            ["REDIS_ADDR"] = server.Address, ["PATTERN"] = "pubsub", ["CHANNEL"] = $"{order},{shipment}",
            ["FILTER"] = "content!=Message #2", ["METRICS_PORT"] = port.ToString(),
        });
        await MetricsEndpointTests.WaitForStatusAsync(port, "/health/ready", HttpStatusCode.OK);
        await subscriber.WaitForOutputAsync($"Subscribed to channel '{order}'");
        await subscriber.WaitForOutputAsync($"Subscribed to channel '{shipment}'");
        foreach (var channel in new[] { order, shipment })
        {
            processes.Start($"publisher to {channel}", "Publisher", new Dictionary<string, string?>
            {
                ["REDIS_ADDR"] = server.Address, ["PATTERN"] = "pubsub", ["CHANNEL"] = channel, ["MESSAGE_COUNT"] = $"{count}", ["PUBLISH_INTERVAL"] = "100ms",
            });
        }

        string metrics = "";
        await Wait.UntilAsync(async () =>
        {
            metrics = await MetricsEndpointTests.GetAsync(port, "/metrics");
            return Prometheus.Sample(metrics, "pubsubdemo_messages_received_total", "source=\"channel\"") >= 2 * count;
        }, $"the subscriber's /metrics counts {2 * count} channel messages", TimeSpan.FromSeconds(60));
        output.WriteLine(string.Join('\n', metrics.Split('\n').Where(l => l.StartsWith("pubsubdemo_channel_", StringComparison.Ordinal) || l.StartsWith("pubsubdemo_messages_filtered", StringComparison.Ordinal))));

        foreach (var channel in new[] { order, shipment })
        {
            Assert.Equal(count, Prometheus.Sample(metrics, "pubsubdemo_channel_received_total", $"channel=\"{channel}\""));
            Assert.Equal(count - 1, Prometheus.Sample(metrics, "pubsubdemo_channel_handled_total", $"channel=\"{channel}\""));
            Assert.Equal(1, Prometheus.Sample(metrics, "pubsubdemo_channel_filtered_total", $"channel=\"{channel}\""));
        }

        Assert.Equal(2, Prometheus.Sample(metrics, "pubsubdemo_messages_filtered_total", "source=\"channel\""));
    }
}
