using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using PubSubDemo.Publisher;
using PubSubDemo.Shared.Connection;
using PubSubDemo.Messaging.Connection;
using PubSubDemo.Shared.Hosting;
using PubSubDemo.Subscriber;

namespace PubSubDemo.UnitTests.Hosting;

/// <summary>A typo in the environment stops the service before it touches the server: one line per problem, exit code 2.</summary>
[Collection(nameof(ConsoleCollection))]
public sealed class StartupValidationTests
{
    private enum Service
    {
        None,
        Publisher,
        Subscriber,
    }

    private static async Task<(int ExitCode, string[] Lines)> RunAsync(Service service, params (string Name, string? Value)[] values)
    {
        var builder = Host.CreateApplicationBuilder();
        // A fixed server address, so a REDIS_ADDR in the test runner's environment cannot change the outcome.
        builder.Configuration.AddInMemoryCollection([KeyValuePair.Create("REDIS_ADDR", (string?)"localhost:6379")]);
        builder.Configuration.AddInMemoryCollection(values.Select(v => KeyValuePair.Create(v.Name, v.Value)));
        builder.AddServiceDefaults();
        builder.AddRedis();
        if (service == Service.Publisher)
        {
            builder.AddPublisher();
        }
        else if (service == Service.Subscriber)
        {
            builder.AddSubscriber();
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
        var (exitCode, lines) = await RunAsync(Service.None, ("PATTERN", "bogus"));

        Assert.Equal(2, exitCode);
        Assert.Equal("error: PATTERN='bogus' is not valid: use pubsub, queue, stream, both or all.", Assert.Single(lines));
    }

    [Fact]
    public async Task Bad_values_in_several_settings_are_all_printed_before_exiting_with_2()
    {
        var (exitCode, lines) = await RunAsync(Service.None, ("REDIS_ADDR", "http://cache.example"), ("PATTERN", "bogus"), ("QUEUE", "jobs*"));

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
        var (exitCode, lines) = await RunAsync(Service.Publisher, ("CHANNEL", "news.*"));

        Assert.Equal(2, exitCode);
        Assert.StartsWith("error: CHANNEL='news.*' is not valid", Assert.Single(lines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Publisher_with_a_negative_PUBLISH_INTERVAL_exits_with_2()
    {
        var (exitCode, lines) = await RunAsync(Service.Publisher, ("PUBLISH_INTERVAL", "-1"));

        Assert.Equal(2, exitCode);
        Assert.Equal(
            "error: PUBLISH_INTERVAL='-1' is not valid: use a duration >= 0 such as 2, 2.0, 500ms or 00:00:02.",
            Assert.Single(lines));
    }

    [Fact]
    public async Task Subscriber_with_a_bogus_PATTERN_exits_with_2()
    {
        var (exitCode, lines) = await RunAsync(Service.Subscriber, ("PATTERN", "bogus"));

        Assert.Equal(2, exitCode);
        Assert.Equal("error: PATTERN='bogus' is not valid: use pubsub, queue, stream, both or all.", Assert.Single(lines));
    }

    [Fact]
    public async Task Subscriber_with_a_bad_STREAM_START_and_a_spaced_CONSUMER_NAME_prints_both_and_exits_with_2()
    {
        var (exitCode, lines) = await RunAsync(Service.Subscriber, ("STREAM_START", "latest"), ("CONSUMER_NAME", "worker one"));

        Assert.Equal(2, exitCode);
        Assert.Equal(2, lines.Length);
        Assert.Contains(lines, line => line.StartsWith("error: STREAM_START='latest' is not valid", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.StartsWith("error: CONSUMER_NAME='worker one' is not valid", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Subscriber_accepts_a_glob_CHANNEL_that_the_publisher_refuses()
    {
        var (exitCode, lines) = await RunAsync(Service.Subscriber, ("CHANNEL", "news.*"), ("PATTERN", "bogus"));

        Assert.Equal(2, exitCode);
        Assert.StartsWith("error: PATTERN=", Assert.Single(lines), StringComparison.Ordinal);
    }
}
