using System.Diagnostics;
using PubSubDemo.Shared.Contract;
using PubSubDemo.Messaging.Contract;
using Xunit.Abstractions;

namespace PubSubDemo.IntegrationTests;

/// <summary>The services as users and containers run them: real processes, environment variables, SIGTERM.</summary>
[Collection(ServerCollection.Name)]
public sealed class ServiceProcessTests(RedisServerFixture server, ITestOutputHelper output)
{
    [Fact]
    public async Task Subscriber_process_exits_0_with_a_final_summary_within_10_seconds_of_SIGTERM()
    {
        output.WriteLine($"Server: {server.Description}");
        var channel = TestNames.Unique("sigterm");
        var queue = TestNames.Unique("sigterm");
        await using var subscriber = ServiceProcess.Start("Subscriber", new Dictionary<string, string?>
        {
            ["REDIS_ADDR"] = server.Address, ["PATTERN"] = "both", ["CHANNEL"] = channel, ["QUEUE"] = queue, ["SUMMARY_INTERVAL"] = "1s",
        });
        try
        {
            await subscriber.WaitForOutputAsync($"Subscribed to channel '{channel}'");
            await subscriber.WaitForOutputAsync($"Consuming queue '{queue}'");
            var id = Guid.NewGuid().ToString();
            await server.Database.ListRightPushAsync(queue, MessageReader.Write(new Message(id, "before SIGTERM", DateTimeOffset.UtcNow)));
            await subscriber.WaitForOutputAsync($"(ID: {id})");

            var stopping = Stopwatch.StartNew();
            subscriber.Terminate();
            var exitCode = await subscriber.WaitForExitAsync(TimeSpan.FromSeconds(10));
            output.WriteLine($"Exited with {exitCode} {stopping.Elapsed.TotalSeconds:0.0}s after SIGTERM");

            Assert.Equal(0, exitCode);
            Assert.Contains(subscriber.Output, line => line.Contains("Final summary queue", StringComparison.Ordinal) && line.Contains("handled 1", StringComparison.Ordinal));
            Assert.DoesNotContain(subscriber.Output, line => line.Contains("   at ", StringComparison.Ordinal));
            Assert.Equal(0, await server.Database.ListLengthAsync(KeyNames.DeadLetters(queue)));
        }
        finally
        {
            WriteOutput(subscriber);
        }
    }

    [Fact]
    public async Task Publisher_process_with_MESSAGE_COUNT_exits_0_by_itself_after_sending_them()
    {
        output.WriteLine($"Server: {server.Description}");
        var queue = TestNames.Unique("count");
        await using var publisher = ServiceProcess.Start("Publisher", new Dictionary<string, string?>
        {
            ["REDIS_ADDR"] = server.Address, ["PATTERN"] = "queue", ["QUEUE"] = queue, ["MESSAGE_COUNT"] = "5", ["PUBLISH_INTERVAL"] = "50ms",
        });
        try
        {
            var exitCode = await publisher.WaitForExitAsync(TimeSpan.FromSeconds(30));

            Assert.Equal(0, exitCode);
            Assert.Contains(publisher.Output, line => line.Contains("Done: 5 messages sent", StringComparison.Ordinal));
            var queued = (await server.Database.ListRangeAsync(queue)).Select(item => MessageReader.Read((byte[])item!).Message!).ToList();
            Assert.Equal([1L, 2, 3, 4, 5], queued.Select(m => m.Seq ?? 0));
            Assert.Single(queued.Select(m => m.Sender).Distinct());
        }
        finally
        {
            WriteOutput(publisher);
        }
    }

    private void WriteOutput(ServiceProcess process)
    {
        output.WriteLine("--- process output");
        foreach (var line in process.Output)
        {
            output.WriteLine(line);
        }
    }
}
