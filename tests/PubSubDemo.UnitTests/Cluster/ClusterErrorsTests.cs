using PubSubDemo.Shared.Connection;
using PubSubDemo.Messaging.Connection;
using StackExchange.Redis;

namespace PubSubDemo.UnitTests.Cluster;

/// <summary>What a Redis Cluster answers while it fails over or migrates a slot is retried; a bug is not.</summary>
public sealed class ClusterErrorsTests
{
    [Theory]
    [InlineData("CLUSTERDOWN The cluster is down")]
    [InlineData("CLUSTERDOWN Hash slot not served")]
    [InlineData("TRYAGAIN Multiple keys request during rehashing of slot")]
    [InlineData("EXECABORT Transaction discarded because of previous errors.")]
    [InlineData("READONLY You can't write against a read only replica.")]
    [InlineData("MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.")]
    public void A_cluster_changing_shape_is_transient(string reply) =>
        Assert.True(RedisErrors.IsTransient(Reply(reply)), reply);

    [Theory]
    [InlineData("CROSSSLOT Keys in request don't hash to the same slot")]
    [InlineData("ERR Error running script (call to f_1234): @user_script:1: Script attempted to access a non local key in a cluster node")]
    [InlineData("NOSCRIPT No matching script. Please use EVAL.")]
    [InlineData("WRONGTYPE Operation against a key holding the wrong kind of value")]
    public void A_bug_or_a_refusal_is_not_transient(string reply) =>
        Assert.False(RedisErrors.IsTransient(Reply(reply)), reply);

    [Fact]
    public void A_redirect_the_client_could_not_follow_yet_is_transient() =>
        Assert.True(RedisErrors.IsTransient(new RedisServerException(RedisErrorKind.UnknownRedirectTarget, CommandFlags.None, "MOVED 1234 ?:7001")));

    /// <summary>The reply as the client raises it, classified by its text only (as for a server the client does not know).</summary>
    private static RedisServerException Reply(string text) => new(RedisErrorKind.Unknown, CommandFlags.None, text);
}
