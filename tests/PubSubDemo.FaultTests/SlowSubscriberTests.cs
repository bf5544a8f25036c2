using PubSubDemo.FaultTests.Support;
using Xunit.Abstractions;

namespace PubSubDemo.FaultTests;

/// <summary>
/// A subscriber that falls behind a burst: the server closes its subscription for the pub/sub output-buffer limit.
/// The subscriber must say so in words (the likely cause and the setting), count it, come back, and report the
/// messages it missed as a gap.
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class SlowSubscriberTests(ITestOutputHelper output)
{
    private const int SigStop = 19;
    private const int SigCont = 18;

    [Fact]
    public async Task A_subscriber_closed_for_its_output_buffer_says_why_counts_it_and_reports_the_gap()
    {
        await using var server = await FaultServer.StartAsync();
        output.WriteLine($"Server: {server.Kind}");
        // A small limit, and a burst of 300 messages of 100 KB: 30 MB, more than loopback sockets hold, so it passes the limit.
        await server.Client.GetServer(server.Address).ConfigSetAsync("client-output-buffer-limit", "pubsub 256kb 128kb 1");
        var channel = TestNames.Unique("slow-subscriber");
        await using var processes = new ProcessSet(output);
        var subscriber = processes.Add("subscriber", await Services.StartSubscriberAsync(server.Address, new Dictionary<string, string?>
        {
            ["PATTERN"] = "pubsub", ["CHANNEL"] = channel,
        }));
        var subscriber1 = await server.Client.GetSubscriber().PublishAsync(StackExchange.Redis.RedisChannel.Literal(channel), RawMessages.Json("slow-1", "before", seq: 1));
        Assert.Equal(1, subscriber1);
        await subscriber.WaitForOutputAsync("(ID: slow-1)");

        // The subscriber stops reading (as one swamped by a burst would); the burst passes the limit and the server
        // closes the subscription. Then it reads again.
        Assert.Equal(0, FaultServer.Signal(subscriber.Id, SigStop));
        try
        {
            for (var seq = 2; seq <= 301; seq++)
            {
                await server.Client.GetSubscriber().PublishAsync(StackExchange.Redis.RedisChannel.Literal(channel), RawMessages.Json($"slow-{seq}", "burst", seq: seq, padding: 100_000));
            }

            await Wait.UntilAsync(async () => (long)(await server.Database.ExecuteAsync("PUBSUB", "NUMSUB", channel))[1] == 0, "the server to close the slow subscription");
        }
        finally
        {
            Assert.Equal(0, FaultServer.Signal(subscriber.Id, SigCont));
        }

        await subscriber.WaitForOutputAsync("client-output-buffer-limit pubsub");
        await Wait.UntilAsync(async () => (long)(await server.Database.ExecuteAsync("PUBSUB", "NUMSUB", channel))[1] == 1, "the subscriber to subscribe again");
        await server.Client.GetSubscriber().PublishAsync(StackExchange.Redis.RedisChannel.Literal(channel), RawMessages.Json("slow-302", "after", seq: 302));
        await subscriber.WaitForOutputAsync("(ID: slow-302)");

        subscriber.Terminate();
        Assert.Equal(0, await subscriber.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        Assert.Contains(subscriber.Output, line => line.Contains("Gap on the channel from raw", StringComparison.Ordinal));
        Assert.Contains(subscriber.Output, line => line.Contains("Final summary channel", StringComparison.Ordinal)
            && line.Contains("disconnected by the server for a full output buffer 1", StringComparison.Ordinal));
        var warning = Assert.Single(subscriber.Output, line => line.Contains("client-output-buffer-limit pubsub", StringComparison.Ordinal));
        output.WriteLine($"The warning: {warning}");
    }
}
