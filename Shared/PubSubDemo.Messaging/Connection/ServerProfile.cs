namespace PubSubDemo.Messaging.Connection;

/// <summary>The server product, from the version field that only it reports in INFO server.</summary>
public enum ServerKind
{
    Unknown,
    Redis,
    Valkey,
    DragonFly,
    Garnet,
}

/// <summary>How the server holds the key space.</summary>
public enum ServerMode
{
    Standalone,

    /// <summary>A real cluster: slots spread over primaries that each check them.</summary>
    Cluster,

    /// <summary>DragonFly's <c>--cluster_mode=emulated</c>: it answers the cluster commands, but is one node that checks no slots.</summary>
    EmulatedCluster,
}

/// <summary>What the probe found out about one feature.</summary>
public enum FeatureState
{
    /// <summary>Not asked (nothing configured needs it, so the probe spends no command or permission on it).</summary>
    Unchecked,
    Yes,
    No,
}

/// <summary>One feature's state and, when the server refused it, the server's words.</summary>
internal readonly record struct FeatureCheck(FeatureState State, string Detail = "")
{
    public static FeatureCheck Yes => new(FeatureState.Yes);

    public static FeatureCheck Unchecked => new(FeatureState.Unchecked);

    public static FeatureCheck No(string detail) => new(FeatureState.No, detail);

    public override string ToString() => State switch
    {
        FeatureState.Yes => "yes",
        FeatureState.No => "no",
        _ => "not checked",
    };
}

/// <summary>
/// The server a service reached, read once at start by <see cref="ServerProbe"/>: product, version, mode and what it can
/// do. <see cref="RedisConnection.Server"/> holds it for any code that must pick behaviour by server
/// (<c>Kind == ServerKind.DragonFly</c>).
/// </summary>
internal sealed record ServerProfile(
    ServerKind Kind,
    string Version,
    ServerMode Mode,
    FeatureCheck Streams,
    FeatureCheck ShardedPubSub,
    FeatureCheck LuaScripts)
{
    /// <summary>Product and version, e.g. "Valkey 8.0.1" (the "Connected to" line's wording).</summary>
    public string Product => ProductName(Kind, Version);

    /// <summary>What <see cref="Identify"/> found, as the log lines and the acl verb name it: "Valkey 8.0.1", or "unknown server".</summary>
    public static string ProductName(ServerKind kind, string version) => kind == ServerKind.Unknown ? "unknown server" : $"{kind} {version}";

    /// <summary>The probe's log line, e.g. "Valkey 8.0.1, standalone; streams yes, sharded pub/sub yes, Lua scripts not checked".</summary>
    public string Describe() =>
        $"{Product}, {ModeName(Mode)}; streams {Streams}, sharded pub/sub {ShardedPubSub}, Lua scripts {LuaScripts}";

    public static string ModeName(ServerMode mode) => mode switch
    {
        ServerMode.Cluster => "cluster",
        ServerMode.EmulatedCluster => "emulated cluster (one node, slots not checked on the server)",
        _ => "standalone",
    };

    /// <summary>
    /// The product and version from INFO server's text. Each product reports a field of its own beside the
    /// <c>redis_version</c> it claims for compatibility (Valkey 8.0 says 7.2.4, Garnet 7.4.3, DragonFly 7.4.0), so
    /// those are looked at first: dragonfly_version (<c>df-v1.40.1</c>), valkey_version, garnet_version; else redis_version.
    /// </summary>
    public static (ServerKind Kind, string Version) Identify(string info)
    {
        var fields = Fields(info);
        if (fields.TryGetValue("dragonfly_version", out var dragonfly))
        {
            return (ServerKind.DragonFly, dragonfly.StartsWith("df-", StringComparison.Ordinal) ? dragonfly[3..].TrimStart('v') : dragonfly.TrimStart('v'));
        }

        if (fields.TryGetValue("valkey_version", out var valkey))
        {
            return (ServerKind.Valkey, valkey);
        }

        if (fields.TryGetValue("garnet_version", out var garnet))
        {
            return (ServerKind.Garnet, garnet);
        }

        return fields.TryGetValue("redis_version", out var redis) ? (ServerKind.Redis, redis) : (ServerKind.Unknown, "");
    }

    /// <summary>
    /// The mode: a cluster of one node that is DragonFly is its emulated mode (DragonFly's managed cluster mode has a
    /// node per shard; a one-node Redis or Valkey cluster is a real, if small, cluster).
    /// </summary>
    public static ServerMode ModeOf(ServerKind kind, bool cluster, int nodes) =>
        !cluster ? ServerMode.Standalone
        : kind == ServerKind.DragonFly && nodes <= 1 ? ServerMode.EmulatedCluster
        : ServerMode.Cluster;

    /// <summary>The <c>name:value</c> lines of an INFO reply; section headers and blank lines are skipped, the first of a name wins.</summary>
    public static IReadOnlyDictionary<string, string> Fields(string info)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in info.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (line[0] != '#' && colon > 0)
            {
                fields.TryAdd(line[..colon], line[(colon + 1)..]);
            }
        }

        return fields;
    }
}
