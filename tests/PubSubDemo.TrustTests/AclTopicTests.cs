using PubSubDemo.Shared.Contract;
using PubSubDemo.Messaging.Contract;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace PubSubDemo.TrustTests;

/// <summary>
/// A CHANNEL list under least privilege: the subscriber's user, made from its own <c>acl</c> output on a server whose
/// default user is off, may SUBSCRIBE to each literal entry and PSUBSCRIBE to each glob, and to nothing else.
/// </summary>
public sealed class AclTopicTests(AclServer server, ITestOutputHelper output) : IClassFixture<AclServer>
{
    [Fact]
    public async Task A_subscriber_on_a_channel_and_a_glob_runs_as_the_user_the_acl_verb_describes_and_may_subscribe_to_nothing_else()
    {
        output.WriteLine($"Server: {RedisServerProcess.ProgramName} on port {server.Port}, default user off, users from the acl verb");
        var suffix = Guid.NewGuid().ToString("N")[..8];
        string order = $"acl-order-{suffix}", audit = $"acl-audit-{suffix}.*";
        var user = $"subscriber-{suffix}";
        var password = $"subscriber-password-{suffix}";
        var settings = new Dictionary<string, string?> { ["PATTERN"] = "pubsub", ["CHANNEL"] = $"{order},{audit}" };
        var (exitCode, printed, errors) = await ServiceVerb.RunAsync("Subscriber", "acl", new Dictionary<string, string?>(settings) { ["REDIS_ADDR"] = server.Url(user, password) });
        output.WriteLine($"Subscriber acl: {printed.Trim()}{errors}");
        Assert.Equal(0, exitCode);
        await server.ApplyAsync(printed.Trim());

        await using var subscriber = await ServiceHost.Subscriber(server.Url(user, password), settings).StartAndWaitConsumingAsync();
        var publisher = server.Admin.GetSubscriber();
        foreach (var (channel, seq) in new[] { (order, 1L), ($"acl-audit-{suffix}.eu", 2L) })
        {
            await publisher.PublishAsync(RedisChannel.Literal(channel), MessageReader.Write(new Message($"acl-{seq}", "allowed", DateTimeOffset.UtcNow, "acl", seq)));
        }

        await Wait.UntilAsync(() => subscriber.SubscriberStats.Channel.Handled == 2, "one message on the channel and one the glob matched are handled as the subscriber's user");
        var refusals = (await server.RefusalsAsync()).Where(entry => entry.Contains(suffix, StringComparison.Ordinal)).ToList();
        refusals.ForEach(output.WriteLine);
        Assert.Empty(refusals);

        // Neither another channel nor a wider pattern than the one it was given.
        await using var asUser = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{server.Port},user={user},password={password}");
        foreach (var channel in new[] { RedisChannel.Literal($"acl-other-{suffix}"), RedisChannel.Pattern("acl-*") })
        {
            var refused = await Assert.ThrowsAnyAsync<RedisException>(() => asUser.GetSubscriber().SubscribeAsync(channel));
            Assert.Contains("NOPERM", refused.Message, StringComparison.Ordinal);
        }
    }
}
