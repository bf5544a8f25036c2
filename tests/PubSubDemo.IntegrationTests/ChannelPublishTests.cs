using Microsoft.Extensions.Logging.Abstractions;
using PubSubDemo.Publisher.Sending;
using PubSubDemo.Messaging.Producing;
using PubSubDemo.Shared.Configuration;
using PubSubDemo.Messaging.Configuration;
using PubSubDemo.Shared.Contract;
using PubSubDemo.Messaging.Contract;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace PubSubDemo.IntegrationTests;

/// <summary>
/// How the publisher puts a batch of channel messages on the wire: one script where scripts may publish, one PUBLISH
/// per message where they may not (DragonFly, whose PUBLISH inside a script can hold the script's thread), read off the
/// server's own command counts.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class ChannelPublishTests(RedisServerFixture server, ITestOutputHelper output)
{
    [Theory]
    [InlineData(true, 1)]
    [InlineData(false, 0)]
    public async Task A_batch_goes_as_one_script_or_as_one_PUBLISH_per_message(bool publishInScripts, long scripts)
    {
        output.WriteLine($"Server: {server.Description}");
        var channel = TestNames.Unique("publish-way");
        var messaging = new MessagingSettings { Channel = channel, Pattern = Pattern.PubSub };
        var destination = new ChannelDestination(messaging, new ScriptFallback(NullLogger.Instance), SendObservers.None, false, NullLogger.Instance, publishInScripts);
        var batch = Enumerable.Range(1, 5).Select(i => new OutgoingMessage(new Message($"{channel}-{i}", "x", DateTimeOffset.UtcNow), to: Destinations.Channel)).ToList();
        var connection = await ConnectionMultiplexer.ConnectAsync($"{server.Address},allowAdmin=true");
        await using (connection)
        {
            var admin = connection.GetServer(connection.GetEndPoints()[0]);
            var before = await CountsAsync(admin);

            Assert.Null(await destination.SendAsync(connection.GetDatabase(), batch));

            var after = await CountsAsync(admin);
            // Redis counts a PUBLISH made inside a script as a PUBLISH too: five either way, in one script or none.
            Assert.Equal((scripts, 5L), (after.Scripts - before.Scripts, after.Publishes - before.Publishes));
            Assert.All(batch, m => Assert.True(m.IsTakenBy(Destinations.Channel)));
        }
    }

    /// <summary>EVAL and EVALSHA calls, and PUBLISH calls (made as commands or from a script).</summary>
    private static async Task<(long Scripts, long Publishes)> CountsAsync(IServer admin)
    {
        var info = await admin.InfoRawAsync("commandstats") ?? "";
        long Calls(string command) => info.Split('\n', StringSplitOptions.TrimEntries)
            .Where(l => l.StartsWith($"cmdstat_{command}:", StringComparison.Ordinal))
            .Select(l => long.Parse(l.Split("calls=")[1].Split(',')[0], System.Globalization.CultureInfo.InvariantCulture)).SingleOrDefault();
        return (Calls("eval") + Calls("evalsha"), Calls("publish"));
    }
}
