using PubSubDemo.Messaging.Cluster;
using StackExchange.Redis;

namespace PubSubDemo.Messaging.Connection;

/// <summary>
/// Reads, once connected, which server this is and what it can do, in one round trip: INFO server (product, version),
/// COMMAND INFO xadd xreadgroup (streams: Garnet has none and answers nil for both), and only when the settings
/// need them (<see cref="ServerNeeds"/>) a harmless <c>EVAL "return 1" 0</c> (Garnet lists EVAL even with Lua off, so only
/// running one tells) and an SPUBLISH to <see cref="ShardedPubSub.ProbeChannel"/> (Garnet lists SPUBLISH outside
/// cluster mode too, and refuses it). So a least-privilege user is never sent a command its <c>acl</c> rules do not allow:
/// EVAL and the probe channel are in them exactly when the settings need them. A refused check (NOPERM, or a server
/// without COMMAND INFO) is left "not checked" rather than taken as a missing feature.
/// </summary>
internal static class ServerProbe
{
    private const string LuaProbe = "return 1";

    /// <summary>Reads the profile; a transient failure (connection lost, LOADING) is thrown for the caller to retry.</summary>
    public static async Task<ServerProfile> ReadAsync(IConnectionMultiplexer multiplexer, ServerNeeds needs)
    {
        var servers = multiplexer.GetServers();
        var server = servers.FirstOrDefault(s => s.IsConnected && !s.IsReplica) ?? servers.FirstOrDefault(s => s.IsConnected)
            ?? throw new TimeoutException("no connected server to probe yet"); // transient: retried with the connection's backoff

        // Everything is on the wire before the first reply is awaited.
        var info = server.InfoRawAsync("server");
        var commands = server.ExecuteAsync("COMMAND", "INFO", "xadd", "xreadgroup");
        var lua = needs.Needs(ServerFeature.LuaScripts) ? multiplexer.GetDatabase().ScriptEvaluateAsync(LuaProbe) : null;
        var sharded = needs.Needs(ServerFeature.ShardedPubSub)
            ? multiplexer.GetSubscriber().PublishAsync(RedisChannel.Sharded(ShardedPubSub.ProbeChannel), RedisValue.EmptyString)
            : null;

        var (kind, version) = ServerProfile.Identify(await InfoAsync(info));
        var streams = await CheckAsync(commands, StreamsFrom, _ => FeatureCheck.Unchecked);
        var scripts = lua is null ? FeatureCheck.Unchecked : await CheckAsync(lua, _ => FeatureCheck.Yes, FromError);
        var shardedCheck = sharded is null ? FeatureCheck.Unchecked : await CheckAsync(sharded, _ => FeatureCheck.Yes, FromError);
        var cluster = server.ServerType == ServerType.Cluster;
        var nodes = cluster ? server.ClusterConfiguration?.Nodes.Count ?? 1 : 1;
        return new ServerProfile(kind, version, ServerProfile.ModeOf(kind, cluster, nodes), streams, shardedCheck, scripts);
    }

    /// <summary>COMMAND INFO answers one entry per name, nil for a command the server does not have.</summary>
    public static FeatureCheck StreamsFrom(RedisResult reply)
    {
        if (reply.Resp2Type != ResultType.Array || reply.Length == 0)
        {
            return FeatureCheck.Unchecked;
        }

        var missing = Enumerable.Range(0, reply.Length).Where(i => reply[i].IsNull).Select(i => i == 0 ? "XADD" : "XREADGROUP").ToList();
        return missing.Count == 0 ? FeatureCheck.Yes : FeatureCheck.No($"no {string.Join(" or ", missing)}");
    }

    /// <summary>
    /// How a check's reply or error reads: an error other than a transient one or a refused permission is the server
    /// saying no ("ERR unknown command", "ERR This instance has Lua scripting support disabled").
    /// </summary>
    public static FeatureCheck FromError(string message) =>
        message.StartsWith("NOPERM", StringComparison.Ordinal) ? FeatureCheck.Unchecked : FeatureCheck.No(message);

    /// <summary>INFO server's text; a refusal (a user without INFO) leaves the server unknown rather than stopping the service.</summary>
    private static async Task<string> InfoAsync(Task<string?> info)
    {
        try
        {
            return await info ?? "";
        }
        catch (RedisServerException ex) when (!RedisErrors.IsTransient(ex))
        {
            return "";
        }
    }

    /// <summary>The check's reply read by <paramref name="read"/>, or its refusal by <paramref name="refused"/> (COMMAND INFO's: not checked).</summary>
    private static async Task<FeatureCheck> CheckAsync<T>(Task<T> reply, Func<T, FeatureCheck> read, Func<string, FeatureCheck> refused)
    {
        try
        {
            return read(await reply);
        }
        catch (RedisServerException ex) when (!RedisErrors.IsTransient(ex))
        {
            return refused(ex.Message);
        }
    }
}
