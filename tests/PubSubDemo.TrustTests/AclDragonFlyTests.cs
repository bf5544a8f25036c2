using System.Globalization;
using Xunit.Abstractions;

namespace PubSubDemo.TrustTests;

/// <summary>
/// <c>acl --server dragonfly</c> writes whole commands where DragonFly has no subcommand rules. Those grant a superset
/// of the Redis rules, so applied to a real redis-server (DragonFly itself cannot be had here) every service still
/// works as its user, with nothing refused, and the line holds no <c>command|subcommand</c> rule DragonFly would refuse.
/// </summary>
public sealed class AclDragonFlyTests(AclServer server, ITestOutputHelper output) : IClassFixture<AclServer>
{
    [Theory]
    [InlineData("all", "1", "false", false)]
    [InlineData("stream", "3", "true", true)]
    public async Task The_services_run_as_the_users_the_DragonFly_rules_describe(string pattern, string partitions, string dedupe, bool retries)
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var settings = new Dictionary<string, string?>
        {
            ["PATTERN"] = pattern,
            ["DEDUPE"] = dedupe,
            ["PARTITIONS"] = partitions,
            ["CHANNEL"] = $"acl-df-channel-{suffix}",
            ["QUEUE"] = $"acl-df-queue-{suffix}",
            ["STREAM"] = $"acl-df-stream-{suffix}",
        };
        foreach (var (role, service) in new[] { ("publisher", "Publisher"), ("subscriber", "Subscriber"), ("monitor", "Monitor") })
        {
            var environment = new Dictionary<string, string?>(settings) { ["REDIS_ADDR"] = Url(role, suffix), ["STREAM_MAXLEN"] = role == "publisher" ? "5" : null };
            var (exitCode, printed, comments) = await ServiceVerb.RunAsync(service, ["acl", "--server", "dragonfly"], environment);
            output.WriteLine($"{service} acl --server dragonfly: {printed.Trim()}\n{comments.Trim()}");
            Assert.Equal(0, exitCode);
            var line = Assert.Single(printed.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            Assert.DoesNotContain('|', line);
            Assert.Contains(" +client ", line, StringComparison.Ordinal);
            Assert.Contains(comments.Split('\n', StringSplitOptions.RemoveEmptyEntries), c => c.StartsWith("# DragonFly has no subcommand rules: +client (for CLIENT", StringComparison.Ordinal));
            await server.ApplyAsync(line);
        }

        (string, string?)[] failing = retries ? [("FAIL_ON", "Message #7"), ("MAX_ATTEMPTS", "2"), ("RETRY_BACKOFF", "100ms")] : [];
        await using var monitor = ServiceProcess.Start("Monitor", new Dictionary<string, string?>(settings) { ["REDIS_ADDR"] = Url("monitor", suffix), ["MONITOR_PORT"] = "0" });
        await using var subscriber = await ServiceHost.Subscriber(Url("subscriber", suffix), settings.With(failing)).StartAndWaitConsumingAsync();
        await using var publisher = await ServiceHost.Publisher(Url("publisher", suffix), settings.With(("MESSAGE_COUNT", "20"), ("PUBLISH_INTERVAL", "10ms"), ("STREAM_MAXLEN", "5"))).StartAsync();

        var stats = subscriber.SubscriberStats;
        var sources = pattern == "all" ? new[] { stats.Channel, stats.Queue, stats.Stream } : [stats.Stream];
        var handled = retries ? 19 : 20;
        await Wait.UntilAsync(() => sources.All(s => s.Handled == handled && s.DeadLettered == 20 - handled), $"{handled} messages handled from each source as the subscriber's user");
        await monitor.WaitForOutputAsync("Monitor at http://");
        var port = int.Parse(monitor.Output.First(l => l.Contains("Monitor at http://", StringComparison.Ordinal)).Split(':')[^1], CultureInfo.InvariantCulture);
        using var http = new HttpClient { BaseAddress = new Uri($"http://localhost:{port}") };
        await Wait.UntilAsync(async () => (await http.GetAsync("/api/snapshot")).IsSuccessStatusCode, "the monitor finishes a collection round as its user");
        await publisher.WaitForShutdownAsync(TimeSpan.FromSeconds(30));
        if (pattern == "stream")
        {
            // A lost group is recreated where it left off as the subscriber's user (XRANGE counts what it reads again).
            await server.Admin.GetDatabase().ExecuteAsync("XGROUP", "DESTROY", settings["STREAM"]!, "subscribers");
            await subscriber.WaitForLogAsync($"Recreated consumer group 'subscribers' on '{settings["STREAM"]}' at");
        }


        var refusals = (await server.RefusalsAsync()).Where(entry => entry.Contains(suffix, StringComparison.Ordinal)).ToList();
        refusals.ForEach(output.WriteLine);
        Assert.Empty(refusals);
        Assert.Equal(retries ? 1 : 0, stats.Stream.Retried);
        Assert.DoesNotContain(monitor.Output, line => line.Contains("NOPERM", StringComparison.Ordinal));
    }

    private string Url(string role, string suffix) => server.Url($"{role}-{suffix}", $"{role}-password-{suffix}");
}
