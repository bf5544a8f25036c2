using PubSubDemo.Subscriber.Dedupe;
using PubSubDemo.Subscriber.Selection;
using PubSubDemo.Publisher;
using PubSubDemo.Publisher.Sending;
using PubSubDemo.Messaging.Producing;
using PubSubDemo.Shared.Configuration;
using PubSubDemo.Messaging.Configuration;
using PubSubDemo.Shared.Connection;
using PubSubDemo.Messaging.Connection;
using PubSubDemo.Messaging.Consumers;
using PubSubDemo.Messaging.Dedupe;

namespace PubSubDemo.UnitTests.Connection;

public sealed class ServerNeedsTests
{
    private const string Where = "Garnet 2.2.12 at cache:6379";

    private static readonly ServerProfile GarnetWithoutLua = new(ServerKind.Garnet, "2.2.12", ServerMode.Standalone,
        FeatureCheck.No("no XADD or XREADGROUP"), FeatureCheck.No("ERR This instance has cluster support disabled"), FeatureCheck.No("ERR This instance has Lua scripting support disabled"));

    private static readonly ServerProfile Redis = new(ServerKind.Redis, "7.0.15", ServerMode.Standalone, FeatureCheck.Yes, FeatureCheck.Yes, FeatureCheck.Yes);

    private static readonly ServerProfile NothingChecked = new(ServerKind.Unknown, "", ServerMode.Standalone, FeatureCheck.Unchecked, FeatureCheck.Unchecked, FeatureCheck.Unchecked);

    [Theory]
    [InlineData("stream", "PATTERN=stream")]
    [InlineData("all", "PATTERN=all")]
    public void A_subscriber_with_a_stream_is_refused_where_there_are_no_streams(string pattern, string setting)
    {
        var refusals = SubscriberNeeds(("PATTERN", pattern)).Refusals(GarnetWithoutLua with { LuaScripts = FeatureCheck.Yes }, Where);

        var line = Assert.Single(refusals);
        Assert.Equal($"{setting} needs streams (XADD and XREADGROUP), which {Where} does not offer (no XADD or XREADGROUP); use PATTERN=pubsub, queue or both on this server", line);
    }

    [Fact]
    public void A_publisher_with_PATTERN_both_needs_nothing_but_the_server()
    {
        Assert.Empty(PublisherNeeds(("PATTERN", "both")).Refusals(GarnetWithoutLua, Where));
    }

    [Fact]
    public void A_publisher_with_STREAM_MAXLEN_needs_Lua_for_the_trim()
    {
        var refusals = PublisherNeeds(("PATTERN", "stream"), ("STREAM_MAXLEN", "1000")).Refusals(GarnetWithoutLua with { Streams = FeatureCheck.Yes }, Where);

        var line = Assert.Single(refusals);
        Assert.StartsWith("STREAM_MAXLEN=1000 needs Lua scripts (the trim that keeps unread entries is a Lua script), which Garnet 2.2.12 at cache:6379 does not offer (ERR This instance has Lua scripting support disabled)", line, StringComparison.Ordinal);
    }

    [Fact]
    public void A_queue_subscriber_and_DEDUPE_each_say_why_they_need_Lua()
    {
        var refusals = SubscriberNeeds(("PATTERN", "queue"), ("DEDUPE", "true")).Refusals(GarnetWithoutLua, Where);

        Assert.Collection(
            refusals,
            line => Assert.StartsWith("PATTERN=queue needs Lua scripts (the queue's take, returns, retries and delays are Lua scripts)", line, StringComparison.Ordinal),
            line => Assert.StartsWith("DEDUPE=true needs Lua scripts (effects, marker and acknowledgement commit as one Lua script)", line, StringComparison.Ordinal));
        Assert.All(refusals, line => Assert.Contains("Garnet: --lua", line, StringComparison.Ordinal));
    }

    [Fact]
    public void A_channel_subscriber_without_DEDUPE_runs_without_Lua()
    {
        var needs = SubscriberNeeds(("PATTERN", "pubsub"));

        Assert.False(needs.Needs(ServerFeature.LuaScripts));
        Assert.Empty(needs.Refusals(GarnetWithoutLua, Where));
    }

    [Fact]
    public void PUBSUB_MODE_sharded_on_a_server_that_refuses_SPUBLISH_keeps_the_line_users_know()
    {
        var needs = new ServerNeeds().Add(ServerFeature.ShardedPubSub, "PUBSUB_MODE=sharded", "SPUBLISH and SSUBSCRIBE", "use PUBSUB_MODE=classic");

        var line = Assert.Single(needs.Refusals(GarnetWithoutLua, Where));
        Assert.Equal($"PUBSUB_MODE=sharded needs sharded pub/sub (SPUBLISH and SSUBSCRIBE, Redis 7.0 or later), which {Where} refused (ERR This instance has cluster support disabled); use PUBSUB_MODE=classic", line);
    }

    [Fact]
    public void Redis_serves_every_configuration()
    {
        var needs = SubscriberNeeds(("PATTERN", "all"), ("DEDUPE", "true"));
        needs.Add(ServerFeature.ShardedPubSub, "PUBSUB_MODE=sharded", "SPUBLISH and SSUBSCRIBE", "use PUBSUB_MODE=classic");

        Assert.Empty(needs.Refusals(Redis, "Redis 7.0.15 at localhost:6379"));
    }

    [Fact]
    public void A_feature_the_probe_could_not_check_is_no_reason_to_refuse()
    {
        Assert.Empty(SubscriberNeeds(("PATTERN", "all"), ("DEDUPE", "true")).Refusals(NothingChecked, Where));
    }

    private static ServerNeeds SubscriberNeeds(params (string Name, string? Value)[] values)
    {
        var (messaging, _) = TestSettings.Load<MessagingSettings>(values);
        var (dedupe, _) = TestSettings.Load<DedupeSettings>(values);
        return ServerNeeds.From([new ConsumerNeeds(messaging, dedupe)]);
    }

    private static ServerNeeds PublisherNeeds(params (string Name, string? Value)[] values)
    {
        var (messaging, _) = TestSettings.Load<MessagingSettings>(values);
        var (publisher, _) = TestSettings.Load<PublisherSettings>(values);
        return ServerNeeds.From([new SenderNeeds(messaging, publisher)]);
    }
}
