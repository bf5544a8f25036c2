using System.Globalization;
using PubSubDemo.Shared.Contract;
using PubSubDemo.Messaging.Contract;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace PubSubDemo.TrustTests;

/// <summary>
/// Least privilege: each service's user is created from that service's own <c>acl</c> output, on a server whose
/// default user is off; the services work as those users, and each user is refused what its service never does.
/// </summary>
public sealed class AclTests(AclServer server, ITestOutputHelper output) : IClassFixture<AclServer>
{
    [Theory]
    [InlineData("pubsub")]
    [InlineData("queue")]
    [InlineData("stream")]
    [InlineData("queue", "3")]
    [InlineData("stream", "3")]
    [InlineData("pubsub", "1", "true")]
    [InlineData("queue", "3", "true")]
    [InlineData("stream", "3", "true")]

    // Retries and delayed messages: the due sets, their scripts and the claims (DELAY on every message, one that always fails).
    [InlineData("queue", "1", "false", true)]
    [InlineData("stream", "1", "false", true)]
    [InlineData("queue", "3", "false", true)]
    [InlineData("stream", "3", "false", true)]
    public async Task Every_pattern_runs_end_to_end_as_the_users_the_acl_verb_describes(string pattern, string partitions = "1", string dedupe = "false", bool retriesAndDelays = false)
    {
        output.WriteLine($"Server: {RedisServerProcess.ProgramName} on port {server.Port}, default user off, users from the acl verb");
        var users = await CreateUsersAsync(pattern, partitions, dedupe);
        var settings = Names(pattern, users.Suffix, partitions, dedupe);
        (string, string?)[] failing = retriesAndDelays ? [("FAIL_ON", "Message #7"), ("MAX_ATTEMPTS", "2"), ("RETRY_BACKOFF", "100ms")] : [];
        await using var monitor = ServiceProcess.Start("Monitor", new Dictionary<string, string?>(settings) { ["REDIS_ADDR"] = users.Url("monitor"), ["MONITOR_PORT"] = "0" });
        await using var subscriber = await ServiceHost.Subscriber(users.Url("subscriber"), settings.With(failing)).StartAndWaitConsumingAsync();
        await using var publisher = await ServiceHost.Publisher(users.Url("publisher"), new Dictionary<string, string?>(settings) { ["MESSAGE_COUNT"] = "20", ["PUBLISH_INTERVAL"] = "10ms", ["DELAY"] = retriesAndDelays ? "1s" : null }).StartAsync();

        var stats = subscriber.SubscriberStats;
        var source = pattern switch { "pubsub" => stats.Channel, "queue" => stats.Queue, _ => stats.Stream };
        var handled = retriesAndDelays ? 19 : 20;
        await Wait.UntilAsync(() => source.Handled == handled && source.DeadLettered == 20 - handled, $"{handled} messages handled from the {pattern} as the subscriber's user");
        await monitor.WaitForOutputAsync("Monitor at http://");
        await subscriber.StopAsync();
        await Wait.UntilAsync(() => monitor.Printed("Connected to"), "the monitor connects as its user");

        // The monitor has run one whole collection round as its user once it serves a snapshot.
        var port = int.Parse(monitor.Output.First(l => l.Contains("Monitor at http://", StringComparison.Ordinal)).Split(':')[^1], CultureInfo.InvariantCulture);
        using var http = new HttpClient { BaseAddress = new Uri($"http://localhost:{port}") };
        await Wait.UntilAsync(async () => (await http.GetAsync("/api/snapshot")).IsSuccessStatusCode, "the monitor to finish a collection round as its user");

        var refusals = (await server.RefusalsAsync()).Where(entry => entry.Contains(users.Suffix, StringComparison.Ordinal)).ToList();
        refusals.ForEach(output.WriteLine);
        Assert.Empty(refusals);
        Assert.Equal(retriesAndDelays ? 2 : 0, source.Malformed + source.Failed);
        Assert.Equal(retriesAndDelays ? 1 : 0, source.Retried);

        // The DELAY runs from each message's creation: one the publisher sent late (still connecting) may be due on arrival.
        Assert.InRange(source.Delayed, retriesAndDelays ? 1 : 0, retriesAndDelays ? 20 : 0);
        if (dedupe == "true")
        {
            // The demo handler's transactional effect was committed as the subscriber's user: 20 messages of one sender.
            var counted = 0L;
            foreach (var key in pattern == "pubsub" ? [settings["CHANNEL"]!] : Partitions.Names(settings[pattern == "queue" ? "QUEUE" : "STREAM"]!, int.Parse(partitions)))
            {
                counted += (await server.Admin.GetDatabase().HashValuesAsync(KeyNames.Effects(key) + "senders")).Sum(v => (long)v);
            }

            Assert.Equal(20, counted);
        }

        Assert.DoesNotContain(monitor.Output, line => line.Contains("NOPERM", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Each_user_is_refused_what_its_service_never_does()
    {
        output.WriteLine($"Server: {RedisServerProcess.ProgramName} on port {server.Port}, default user off, users from the acl verb");
        var users = await CreateUsersAsync("all");
        var settings = Names("all", users.Suffix);
        string queue = settings["QUEUE"]!, stream = settings["STREAM"]!, channel = settings["CHANNEL"]!;
        await using var publisher = await ConnectAsync(users, "publisher");
        await using var subscriber = await ConnectAsync(users, "subscriber");
        await using var monitor = await ConnectAsync(users, "monitor");

        await AssertRefusedAsync(publisher, "LRANGE", queue, "0", "-1");
        await AssertRefusedAsync(publisher, "LPOP", queue);
        await AssertRefusedAsync(publisher, "XREADGROUP", "GROUP", "g", "c", "STREAMS", stream, ">");
        await AssertRefusedAsync(subscriber, "PUBLISH", channel, "forged");
        await AssertRefusedAsync(subscriber, "XADD", stream, "*", KeyNames.StreamField, "forged");
        foreach (var write in new[] { new[] { "SET", MonitorKey, "x" }, ["DEL", queue], ["RPUSH", queue, "x"], ["XADD", stream, "*", "f", "v"], ["PUBLISH", channel, "x"], ["LPOP", queue], ["XTRIM", stream, "MAXLEN", "0"] })
        {
            await AssertRefusedAsync(monitor, write[0], write[1..]);
        }

        // What each does use still works for it.
        await publisher.GetDatabase().ListRightPushAsync(queue, "allowed");
        Assert.Equal(1, await monitor.GetDatabase().ListLengthAsync(queue));
    }

    private const string MonitorKey = "pubsubdemo:monitor:forged";

    private static async Task AssertRefusedAsync(ConnectionMultiplexer user, string command, params string[] arguments)
    {
        var refused = await Assert.ThrowsAsync<RedisServerException>(() => user.GetDatabase().ExecuteAsync(command, arguments.Cast<object>().ToArray()));
        Assert.True(refused.Message.StartsWith("NOPERM", StringComparison.Ordinal), $"{command}: {refused.Message}");
    }

    private Task<ConnectionMultiplexer> ConnectAsync(Users users, string role) =>
        ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{server.Port},user={role}-{users.Suffix},password={users.Password(role)}");

    /// <summary>One user per role, made by running each built service with <c>acl</c> and that role's settings.</summary>
    private async Task<Users> CreateUsersAsync(string pattern, string partitions = "1", string dedupe = "false")
    {
        var users = new Users(server, Guid.NewGuid().ToString("N")[..8]);
        foreach (var (role, service) in new[] { ("publisher", "Publisher"), ("subscriber", "Subscriber"), ("monitor", "Monitor") })
        {
            var environment = new Dictionary<string, string?>(Names(pattern, users.Suffix, partitions, dedupe)) { ["REDIS_ADDR"] = users.Url(role) };
            var (exitCode, printed, errors) = await ServiceVerb.RunAsync(service, "acl", environment);
            output.WriteLine($"{service} acl: {printed.Trim()}{errors}");
            Assert.Equal(0, exitCode);
            var line = Assert.Single(printed.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            Assert.StartsWith($"ACL SETUSER {role}-{users.Suffix} on resetpass >{users.Password(role)} resetkeys resetchannels -@all +", line);
            await server.ApplyAsync(line);
        }

        return users;
    }

    /// <summary>The names of one test; with PARTITIONS above 1 the rules must cover every partition's keys and doorbells.</summary>
    private static Dictionary<string, string?> Names(string pattern, string suffix, string partitions = "1", string dedupe = "false") => new()
    {
        ["PATTERN"] = pattern,
        ["DEDUPE"] = dedupe,
        ["PARTITIONS"] = partitions,
        ["CHANNEL"] = $"acl-channel-{suffix}",
        ["QUEUE"] = $"acl-queue-{suffix}",
        ["STREAM"] = $"acl-stream-{suffix}",
    };

    private sealed record Users(AclServer Server, string Suffix)
    {
        public string Password(string role) => $"{role}-password-{Suffix}";

        public string Url(string role) => Server.Url($"{role}-{Suffix}", Password(role));
    }
}
