using PubSubDemo.Shared.Connection;
using PubSubDemo.Messaging.Connection;
using StackExchange.Redis;

namespace PubSubDemo.UnitTests.Connection;

public sealed class ServerProfileTests
{
    [Theory]
    [InlineData(ServerInfoSamples.Redis7015, ServerKind.Redis, "7.0.15")]
    [InlineData(ServerInfoSamples.Valkey801, ServerKind.Valkey, "8.0.1")]
    [InlineData(ServerInfoSamples.DragonFly1401, ServerKind.DragonFly, "1.40.1")]
    [InlineData(ServerInfoSamples.Garnet2212, ServerKind.Garnet, "2.2.12")]
    public void Each_product_is_named_by_its_own_version_field_not_by_the_redis_version_it_claims(string info, ServerKind kind, string version)
    {
        Assert.Equal((kind, version), ServerProfile.Identify(info));
    }

    [Fact]
    public void An_INFO_reply_without_any_version_field_is_an_unknown_server()
    {
        var (kind, version) = ServerProfile.Identify("# Server\r\nos:Linux\r\n");

        Assert.Equal(ServerKind.Unknown, kind);
        Assert.Equal("unknown server", new ServerProfile(kind, version, ServerMode.Standalone, FeatureCheck.Yes, FeatureCheck.Yes, FeatureCheck.Yes).Product);
    }

    [Theory]
    [InlineData(ServerKind.Redis, false, 1, ServerMode.Standalone)]
    [InlineData(ServerKind.Valkey, true, 3, ServerMode.Cluster)]
    [InlineData(ServerKind.Redis, true, 1, ServerMode.Cluster)]
    [InlineData(ServerKind.DragonFly, true, 1, ServerMode.EmulatedCluster)]
    [InlineData(ServerKind.DragonFly, true, 3, ServerMode.Cluster)]
    [InlineData(ServerKind.DragonFly, false, 1, ServerMode.Standalone)]
    public void DragonFly_answering_cluster_commands_as_one_node_is_its_emulated_cluster(ServerKind kind, bool cluster, int nodes, ServerMode expected)
    {
        Assert.Equal(expected, ServerProfile.ModeOf(kind, cluster, nodes));
    }

    [Fact]
    public void The_probe_line_names_product_version_mode_and_each_feature()
    {
        var profile = new ServerProfile(ServerKind.Garnet, "2.2.12", ServerMode.Standalone, FeatureCheck.No("no XADD"), FeatureCheck.Unchecked, FeatureCheck.Yes);

        Assert.Equal("Garnet 2.2.12, standalone; streams no, sharded pub/sub not checked, Lua scripts yes", profile.Describe());
    }

    [Fact]
    public void COMMAND_INFO_with_nil_for_XADD_and_XREADGROUP_means_no_streams()
    {
        var garnet = RedisResult.Create([RedisResult.Create(RedisValue.Null), RedisResult.Create(RedisValue.Null)]);
        var redis = RedisResult.Create([RedisResult.Create([RedisResult.Create((RedisValue)"xadd")]), RedisResult.Create([RedisResult.Create((RedisValue)"xreadgroup")])]);

        Assert.Equal(FeatureCheck.No("no XADD or XREADGROUP"), ServerProbe.StreamsFrom(garnet));
        Assert.Equal(FeatureCheck.Yes, ServerProbe.StreamsFrom(redis));
    }

    [Theory]
    [InlineData("ERR This instance has Lua scripting support disabled", FeatureState.No)]
    [InlineData("ERR unknown command 'SPUBLISH', with args beginning with: ", FeatureState.No)]
    [InlineData("ERR This instance has cluster support disabled", FeatureState.No)]
    [InlineData("NOPERM User sub has no permissions to run the 'eval' command", FeatureState.Unchecked)]
    public void A_server_error_is_a_missing_feature_but_a_refused_permission_is_not_checked(string error, FeatureState expected)
    {
        Assert.Equal(expected, ServerProbe.FromError(error).State);
    }
}
