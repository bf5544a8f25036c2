using System.Globalization;
using System.Net;
using System.Text.Json;
using PubSubDemo.Shared.Observability;
using PubSubDemo.Messaging.Observability;
using Xunit.Abstractions;

namespace PubSubDemo.ClusterTests;

/// <summary>The services and the monitor as real processes on the cluster, as users run them.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ProcessesOnClusterTests(RedisClusterFixture fixture, ITestOutputHelper output)
{
    private RedisCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task The_monitor_lists_every_process_whose_report_lives_on_any_primary_and_reads_the_queue_from_its_node()
    {
        output.WriteLine(fixture.Description);
        var names = new Dictionary<string, string?> { ["PATTERN"] = "queue", ["QUEUE"] = TestNames.Unique("queue"), ["REDIS_ADDR"] = fixture.Address, ["LOG_MESSAGES"] = "false" };

        // Observability settings are not among the ones ServiceProcess clears: set every one, so nothing leaks in from the runner.
        foreach (var name in new[] { "METRICS_PORT", "MONITOR_PORT", "MONITOR_REPORT", "STALL_TIMEOUT", "OTEL_EXPORTER_OTLP_ENDPOINT" })
        {
            names[name] = "";
        }

        // One subscriber per primary, chosen by name, so the reports are spread over every node for certain.
        var instances = Cluster.Client.GetServers().Where(s => !s.IsReplica).Select(s => InstanceOn(s.EndPoint, "cluster-subscriber")).ToList();
        instances.Add(InstanceOn(Cluster.Client.GetServers().First(s => !s.IsReplica).EndPoint, "cluster-publisher"));
        foreach (var instance in instances)
        {
            output.WriteLine($"{instance}: report in slot {Cluster.Client.HashSlot(MonitorKeys.For(instance))} on {Cluster.PrimaryOf(MonitorKeys.For(instance))}");
        }

        var processes = new List<(string Name, ServiceProcess Process)>();
        try
        {
            var monitor = ServiceProcess.Start("Monitor", names.With(("MONITOR_PORT", "0"), ("ASPNETCORE_URLS", ""), ("ASPNETCORE_HTTP_PORTS", "")));
            processes.Add(("monitor", monitor));
            foreach (var instance in instances)
            {
                var service = instance.StartsWith("cluster-publisher", StringComparison.Ordinal) ? "Publisher" : "Subscriber";
                processes.Add((instance, ServiceProcess.Start(service, names.With(("INSTANCE_NAME", instance), ("PUBLISH_RATE", "20")))));
            }

            await monitor.WaitForOutputAsync("Monitor at http://localhost:", TimeSpan.FromSeconds(30));
            var port = int.Parse(monitor.Output.First(l => l.Contains("Monitor at http://localhost:", StringComparison.Ordinal)).Split(':')[^1], CultureInfo.InvariantCulture);
            using var http = new HttpClient();
            IReadOnlyList<string> listed = [];
            long? consumers = null;
            await Wait.UntilAsync(
                async () =>
                {
                    using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/api/snapshot"));
                    (listed, consumers) = response.StatusCode == HttpStatusCode.OK ? Read(await response.Content.ReadAsStringAsync()) : ([], null);
                    return instances.All(listed.Contains) && consumers == 3;
                },
                $"the monitor's snapshot lists {string.Join(", ", instances)} and the queue's 3 consumers",
                TimeSpan.FromSeconds(40));
            output.WriteLine($"The monitor lists: {string.Join(", ", listed)}; the queue has {consumers} consumers");
            Assert.Equal(instances.Order(StringComparer.Ordinal), listed.Order(StringComparer.Ordinal));
        }
        finally
        {
            foreach (var (name, process) in Enumerable.Reverse(processes))
            {
                process.Terminate();
                try
                {
                    await process.WaitForExitAsync(TimeSpan.FromSeconds(20));
                }
                catch (TimeoutException)
                {
                    output.WriteLine($"{name} did not stop on SIGTERM; killing it");
                }

                output.WriteLine($"--- output of {name}");
                foreach (var line in process.Output.TakeLast(30))
                {
                    output.WriteLine(line);
                }

                await process.DisposeAsync();
            }
        }

        // The client's first connection to a node it discovered (the doorbell's node, at start or at shutdown) is no
        // reconnection: nothing was lost, so no service may log "Reconnected" from start to exit.
        Assert.All(processes, p => Assert.DoesNotContain(p.Process.Output, l => l.Contains("Reconnected", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_glob_CHANNEL_with_PUBSUB_MODE_sharded_stops_the_service_at_start_with_one_line_and_exit_2()
    {
        await using var subscriber = ServiceProcess.Start("Subscriber", new Dictionary<string, string?> { ["REDIS_ADDR"] = fixture.Address, ["PATTERN"] = "pubsub", ["CHANNEL"] = "news.*", ["PUBSUB_MODE"] = "sharded" });

        Assert.Equal(2, await subscriber.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        var line = Assert.Single(subscriber.ErrorOutput);
        Assert.StartsWith("error: PUBSUB_MODE='sharded' is not valid: CHANNEL='news.*' is a glob", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Subscriber")]
    [InlineData("Publisher")]
    public async Task PUBSUB_MODE_sharded_on_a_server_without_sharded_pub_sub_stops_at_start_with_one_line_and_exit_2(string service)
    {
        // Redis 7 with SPUBLISH and SSUBSCRIBE renamed away answers as Redis 6 does: unknown command.
        await using var server = await RedisServerProcess.StartAsync(RedisServerProcess.FreePort(), ["--rename-command", "SPUBLISH", "", "--rename-command", "SSUBSCRIBE", ""]);
        await using var process = ServiceProcess.Start(service, new Dictionary<string, string?> { ["REDIS_ADDR"] = server.Address, ["PATTERN"] = "pubsub", ["CHANNEL"] = TestNames.Unique("channel"), ["PUBSUB_MODE"] = "sharded", ["MESSAGE_COUNT"] = "10" });

        Assert.Equal(2, await process.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        var line = Assert.Single(process.ErrorOutput);
        Assert.StartsWith("error: PUBSUB_MODE=sharded needs sharded pub/sub (SPUBLISH and SSUBSCRIBE, Redis 7.0 or later)", line, StringComparison.Ordinal);
        Assert.EndsWith("use PUBSUB_MODE=classic", line, StringComparison.Ordinal);
        Assert.DoesNotContain(process.Output, l => l.Contains("   at ", StringComparison.Ordinal) || l.Contains("fail:", StringComparison.Ordinal));
    }

    /// <summary>An instance name whose report key hashes to a slot that <paramref name="primary"/> serves.</summary>
    private string InstanceOn(EndPoint? primary, string prefix)
    {
        while (true)
        {
            var candidate = $"{prefix}-{Guid.NewGuid().ToString("N")[..6]}";
            if (Equals(Cluster.PrimaryOf(MonitorKeys.For(candidate)), primary))
            {
                return candidate;
            }
        }
    }

    /// <summary>The instances the snapshot lists, and the queue's consumer count it read from the queue's node.</summary>
    private static (IReadOnlyList<string> Instances, long? Consumers) Read(string snapshot)
    {
        using var document = JsonDocument.Parse(snapshot);
        var instances = document.RootElement.GetProperty("processes").EnumerateArray().Select(p => p.GetProperty("report").GetProperty("instance").GetString()!).ToList();
        var consumers = document.RootElement.GetProperty("backlog").TryGetProperty("consumers", out var count) ? count.GetInt64() : (long?)null;
        return (instances, consumers);
    }
}
