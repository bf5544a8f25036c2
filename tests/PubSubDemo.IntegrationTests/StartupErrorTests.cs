using Xunit.Abstractions;

namespace PubSubDemo.IntegrationTests;

/// <summary>
/// A typo in the environment, as a user makes it: the real process prints one line on stderr that names the
/// variable, the value and what is allowed, and exits non-zero without a stack trace. No server needed.
/// </summary>
public sealed class StartupErrorTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("Subscriber", "PATTERN", "bogus", "use pubsub, queue, stream, both or all")]
    [InlineData("Publisher", "PATTERN", "bogus", "use pubsub, queue, stream, both or all")]
    [InlineData("Subscriber", "REDIS_ADDR", "redis://x:y@", "use host:port")]
    [InlineData("Publisher", "REDIS_ADDR", "redis://x:y@", "use host:port")]
    [InlineData("Publisher", "PUBLISH_INTERVAL", "-1", "use a duration >= 0")]
    public async Task A_bad_setting_stops_the_process_with_one_line_that_names_it(string service, string name, string value, string allowed)
    {
        output.WriteLine("Server: none (127.0.0.1:1, never reached: the process stops before it connects)");
        var (exitCode, error) = await RunToErrorAsync(service, new Dictionary<string, string?> { ["REDIS_ADDR"] = "127.0.0.1:1", [name] = value });

        Assert.NotEqual(0, exitCode);
        Assert.StartsWith($"error: {name}='", error, StringComparison.Ordinal);
        Assert.Contains(allowed, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Subscriber", "FILTER", "sender=web-1;colour=red", "FILTER='sender=web-1;colour=red' is not valid: at position 14: unknown field 'colour'")]
    [InlineData("Subscriber", "HANDLE_RATE", "fast", "HANDLE_RATE='fast' is not valid: use a number >= 0")]
    [InlineData("Subscriber", "CHANNEL", "order,,shipment", "CHANNEL='order,,shipment' is not valid: an entry of the comma-separated list is empty")]
    [InlineData("Publisher", "CHANNEL", "order,shipment", "CHANNEL='order,shipment' is not valid: the publisher sends to one channel")]
    public async Task A_bad_topic_filter_or_rate_stops_the_process_with_exit_2_and_one_line_that_names_it(string service, string name, string value, string error)
    {
        output.WriteLine("Server: none (127.0.0.1:1, never reached: the process stops before it connects)");
        var (exitCode, line) = await RunToErrorAsync(service, new Dictionary<string, string?> { ["REDIS_ADDR"] = "127.0.0.1:1", ["PATTERN"] = "pubsub", [name] = value });

        Assert.Equal(2, exitCode);
        Assert.StartsWith($"error: {error}", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_glob_in_the_CHANNEL_list_with_sharded_pub_sub_stops_the_subscriber_with_exit_2_naming_CHANNEL_and_PUBSUB_MODE()
    {
        output.WriteLine("Server: none (127.0.0.1:1, never reached: the process stops before it connects)");
        var (exitCode, line) = await RunToErrorAsync("Subscriber", new Dictionary<string, string?>
        {
            ["REDIS_ADDR"] = "127.0.0.1:1", ["PATTERN"] = "pubsub", ["PUBSUB_MODE"] = "sharded", ["CHANNEL"] = "order,shipments.*",
        });

        Assert.Equal(2, exitCode);
        Assert.StartsWith("error: PUBSUB_MODE='sharded' is not valid: CHANNEL='order,shipments.*' is a glob and sharded pub/sub cannot subscribe by pattern", line, StringComparison.Ordinal);
    }

    /// <summary>Runs the service until it exits; its exit code and its one line on stderr, after checking no stack trace was printed.</summary>
    private async Task<(int ExitCode, string Error)> RunToErrorAsync(string service, Dictionary<string, string?> environment)
    {
        await using var process = ServiceProcess.Start(service, environment);
        var exitCode = await process.WaitForExitAsync(TimeSpan.FromSeconds(30));
        foreach (var line in process.Output)
        {
            output.WriteLine(line);
        }

        Assert.DoesNotContain(process.Output, line => line.Contains("   at ", StringComparison.Ordinal) || line.Contains("Exception", StringComparison.Ordinal));
        return (exitCode, Assert.Single(process.ErrorOutput));
    }

    [Fact]
    public async Task A_bad_REDIS_ADDR_is_reported_without_the_password_it_holds()
    {
        output.WriteLine("Server: none (the address is invalid, so the process stops before it connects)");
        const string password = "s3cret-Pa55word";
        await using var process = ServiceProcess.Start("Subscriber", new Dictionary<string, string?> { ["REDIS_ADDR"] = $"redis://demo:{password}@" });
        var exitCode = await process.WaitForExitAsync(TimeSpan.FromSeconds(30));
        foreach (var line in process.Output)
        {
            output.WriteLine(line);
        }

        Assert.NotEqual(0, exitCode);
        var error = Assert.Single(process.ErrorOutput);
        Assert.StartsWith("error: REDIS_ADDR=", error, StringComparison.Ordinal);
        Assert.DoesNotContain(password, error, StringComparison.Ordinal);
    }
}
