using Xunit.Abstractions;

namespace PubSubDemo.IntegrationTests;

/// <summary>
/// The start-up probe, as a user meets it: each service names the server it reached in one line, and a setting that
/// server cannot serve stops it at start with one error line and exit 2. The servers that lack a feature are real:
/// redis-server (or valkey-server) with the feature's commands renamed away, which answers as a server without them
/// does ("ERR unknown command"); on Garnet (PUBSUBDEMO_TEST_SERVER=garnet), Garnet itself, started without --lua.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class ServerProbeTests(RedisServerFixture fixture, ITestOutputHelper output)
{
    [Theory]
    [InlineData("Subscriber")]
    [InlineData("Publisher")]
    [InlineData("Monitor")]
    public async Task Each_service_names_the_server_it_reached_its_mode_and_what_it_can_do_in_one_line(string service)
    {
        output.WriteLine($"Server: {fixture.Description}");
        var product = await TestServer.VersionAsync(fixture.Client.GetServer(fixture.Client.GetEndPoints()[0]));
        await using var process = ServiceProcess.Start(service, new Dictionary<string, string?>
        {
            ["REDIS_ADDR"] = fixture.Address, ["PATTERN"] = "queue", ["QUEUE"] = TestNames.Unique("probe-queue"), ["MESSAGE_COUNT"] = "1", ["MONITOR_PORT"] = "0",
        });

        await process.WaitForOutputAsync("Server: ", TimeSpan.FromSeconds(30));
        var line = Assert.Single(process.Output, l => l.Contains("RedisConnection[1006]", StringComparison.Ordinal));
        output.WriteLine(line);
        var streams = TestServer.Kind == TestServerKind.Garnet ? "no" : "yes";
        Assert.Contains($"Server: {product}, standalone; streams {streams}, sharded pub/sub not checked, Lua scripts ", line, StringComparison.Ordinal);

        // The subscriber's queue needs Lua, so it ran the harmless script; the publisher and the monitor need none of it.
        Assert.EndsWith(service == "Subscriber" ? "Lua scripts yes" : "Lua scripts not checked", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Subscriber", "queue", "PATTERN=queue needs Lua scripts (the queue's take, returns, retries and delays are Lua scripts)")]
    [InlineData("Subscriber", "stream", "PATTERN=stream needs Lua scripts (the stream's retries and delays are claimed by a Lua script)")]
    public async Task A_server_without_Lua_stops_a_subscriber_that_needs_scripts_with_exit_2_and_one_line(string service, string pattern, string expected)
    {
        await using var server = await StartWithoutAsync(lua: false);

        // Garnet has no streams either: PATTERN=stream is refused there for both, one line each.
        var alsoStreams = pattern == "stream" && TestServer.Kind == TestServerKind.Garnet;
        var (exitCode, lines) = await RunToRefusalsAsync(server, service, new Dictionary<string, string?> { ["PATTERN"] = pattern, ["DEDUPE"] = "false" });

        Assert.Equal(2, exitCode);
        Assert.Equal(alsoStreams ? 2 : 1, lines.Count);
        var line = lines[^1];
        Assert.StartsWith($"error: {expected}, which ", line, StringComparison.Ordinal);
        Assert.Contains($"at {server.Address} does not offer (ERR ", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DEDUPE_on_a_channel_subscriber_needs_Lua_where_the_channel_alone_does_not()
    {
        await using var server = await StartWithoutAsync(lua: false);
        var (exitCode, line) = await RunToRefusalAsync(server, "Subscriber", new Dictionary<string, string?> { ["PATTERN"] = "pubsub", ["DEDUPE"] = "true" });

        Assert.Equal(2, exitCode);
        Assert.StartsWith("error: DEDUPE=true needs Lua scripts", line, StringComparison.Ordinal);
        Assert.EndsWith("or unset DEDUPE", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Publisher")]
    [InlineData("Subscriber")]
    public async Task A_server_without_streams_stops_a_service_with_a_stream_in_PATTERN_with_exit_2_and_one_line(string service)
    {
        await using var server = await StartWithoutAsync(streams: false);
        var (exitCode, line) = await RunToRefusalAsync(server, service, new Dictionary<string, string?> { ["PATTERN"] = "all" });

        Assert.Equal(2, exitCode);
        Assert.StartsWith("error: PATTERN=all needs streams (XADD and XREADGROUP), which ", line, StringComparison.Ordinal);
        Assert.EndsWith("use PATTERN=pubsub, queue or both on this server", line, StringComparison.Ordinal);
    }

    /// <summary>Redis or Valkey with the feature's commands renamed away; Garnet (which has no streams) without --lua.</summary>
    private async Task<RedisServerProcess> StartWithoutAsync(bool lua = true, bool streams = true)
    {
        List<string> renamed = [];
        if (TestServer.Kind != TestServerKind.Garnet)
        {
            string[] scripting = lua ? [] : ["EVAL", "EVALSHA", "EVAL_RO", "EVALSHA_RO"];
            string[] stream = streams ? [] : ["XADD", "XREADGROUP"];
            foreach (var command in scripting.Concat(stream))
            {
                renamed.AddRange(["--rename-command", command, ""]);
            }
        }

        var server = await RedisServerProcess.StartAsync(RedisServerProcess.FreePort(), renamed, lua);
        output.WriteLine($"Server: {RedisServerProcess.ProgramName} on port {server.Port}, without {(lua ? "" : "Lua ")}{(streams ? "" : "streams")}");
        return server;
    }

    /// <summary>Runs the service until it exits: its exit code and its one line on stderr; no stack trace, no worker failure.</summary>
    private async Task<(int ExitCode, string Error)> RunToRefusalAsync(RedisServerProcess server, string service, Dictionary<string, string?> environment)
    {
        var (exitCode, lines) = await RunToRefusalsAsync(server, service, environment);
        return (exitCode, Assert.Single(lines));
    }

    /// <summary>Runs the service until it exits: its exit code and its lines on stderr, one per refusal; no stack trace, no worker failure.</summary>
    private async Task<(int ExitCode, IReadOnlyList<string> Errors)> RunToRefusalsAsync(RedisServerProcess server, string service, Dictionary<string, string?> environment)
    {
        environment["REDIS_ADDR"] = server.Address;
        environment["QUEUE"] = TestNames.Unique("probe-queue");
        environment["STREAM"] = TestNames.Unique("probe-stream");
        await using var process = ServiceProcess.Start(service, environment);
        var exitCode = await process.WaitForExitAsync(TimeSpan.FromSeconds(30));
        foreach (var line in process.Output)
        {
            output.WriteLine(line);
        }

        Assert.Contains(process.Output, l => l.Contains("RedisConnection[1006] Server: ", StringComparison.Ordinal));
        Assert.DoesNotContain(process.Output, l => l.Contains("   at ", StringComparison.Ordinal) || l.Contains("Exception", StringComparison.Ordinal) || l.Contains("fail:", StringComparison.Ordinal));
        Assert.All(process.ErrorOutput, line => Assert.StartsWith("error: ", line, StringComparison.Ordinal));
        return (exitCode, [.. process.ErrorOutput]);
    }
}
