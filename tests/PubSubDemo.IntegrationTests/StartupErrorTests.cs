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
        var environment = new Dictionary<string, string?> { ["REDIS_ADDR"] = "127.0.0.1:1", [name] = value };
        await using var process = ServiceProcess.Start(service, environment);
        var exitCode = await process.WaitForExitAsync(TimeSpan.FromSeconds(30));
        foreach (var line in process.Output)
        {
            output.WriteLine(line);
        }

        Assert.NotEqual(0, exitCode);
        var error = Assert.Single(process.ErrorOutput);
        Assert.StartsWith($"error: {name}='", error, StringComparison.Ordinal);
        Assert.Contains(allowed, error, StringComparison.Ordinal);
        Assert.DoesNotContain(process.Output, line => line.Contains("   at ", StringComparison.Ordinal) || line.Contains("Exception", StringComparison.Ordinal));
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
