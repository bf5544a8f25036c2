using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using PubSubDemo.Publisher;
using PubSubDemo.Shared.Connection;
using PubSubDemo.Shared.Hosting;

namespace PubSubDemo.UnitTests.Hosting;

/// <summary>A typo in the environment stops the service before it touches the server: one line per problem, exit code 2.</summary>
[Collection(nameof(ConsoleCollection))]
public sealed class StartupValidationTests
{
    private static async Task<(int ExitCode, string[] Lines)> RunAsync(bool publisher, params (string Name, string? Value)[] values)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(
            new[] { ("REDIS_ADDR", (string?)"localhost:6379") }.Concat(values).Select(v => KeyValuePair.Create(v.Item1, v.Item2)));
        builder.AddServiceDefaults();
        builder.AddRedis();
        if (publisher)
        {
            builder.AddPublisher();
        }

        using var host = builder.Build();
        var original = Console.Error;
        using var captured = new StringWriter();
        Console.SetError(captured);
        int exitCode;
        try
        {
            exitCode = await host.RunServiceAsync();
        }
        finally
        {
            Console.SetError(original);
        }

        return (exitCode, captured.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    [Fact]
    public async Task Bogus_PATTERN_prints_one_error_line_and_exits_with_2()
    {
        var (exitCode, lines) = await RunAsync(publisher: false, ("PATTERN", "bogus"));

        Assert.Equal(2, exitCode);
        Assert.Equal("error: PATTERN='bogus' is not valid: use pubsub, queue, stream, both or all.", Assert.Single(lines));
    }

    [Fact]
    public async Task Bad_values_in_several_settings_are_all_printed_before_exiting_with_2()
    {
        var (exitCode, lines) = await RunAsync(publisher: false, ("REDIS_ADDR", "http://cache.example"), ("PATTERN", "bogus"), ("QUEUE", "jobs*"));

        Assert.Equal(2, exitCode);
        Assert.Equal(3, lines.Length);
        Assert.All(lines, line => Assert.StartsWith("error: ", line, StringComparison.Ordinal));
        Assert.Contains(lines, line => line.StartsWith("error: REDIS_ADDR='http://cache.example' is not valid", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.StartsWith("error: PATTERN='bogus' is not valid", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.StartsWith("error: QUEUE='jobs*' is not valid", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Publisher_with_a_glob_CHANNEL_exits_with_2()
    {
        var (exitCode, lines) = await RunAsync(publisher: true, ("CHANNEL", "news.*"));

        Assert.Equal(2, exitCode);
        Assert.StartsWith("error: CHANNEL='news.*' is not valid", Assert.Single(lines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Publisher_with_a_negative_PUBLISH_INTERVAL_exits_with_2()
    {
        var (exitCode, lines) = await RunAsync(publisher: true, ("PUBLISH_INTERVAL", "-1"));

        Assert.Equal(2, exitCode);
        Assert.Equal(
            "error: PUBLISH_INTERVAL='-1' is not valid: use a duration >= 0 such as 2, 2.0, 500ms or 00:00:02.",
            Assert.Single(lines));
    }
}
