using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection;

namespace PubSubDemo.Messaging.Connection;

/// <summary>A server feature that a setting relies on.</summary>
internal enum ServerFeature
{
    Streams,
    ShardedPubSub,
    LuaScripts,
}

/// <summary>
/// One part of a service states which server features its current settings rely on (the way <c>IServerAccess</c>
/// states its commands), beside the code that uses them. <see cref="ServerProbe"/> checks those features once at start.
/// </summary>
internal interface IServerNeeds
{
    void Describe(ServerNeeds needs);
}

/// <summary>
/// What a service's settings need from the server, and the start-up refusals: a need the server cannot meet is one
/// line naming the setting, what the server said and the fix, and the service exits 2 (<see cref="RedisConnection"/>),
/// instead of failing message by message later. A feature the probe could not check is no refusal.
/// </summary>
internal sealed class ServerNeeds
{
    private readonly List<Need> _needs = [];

    /// <summary>A need: <paramref name="setting"/> as the user wrote it (<c>PATTERN=stream</c>), what it is for, and the fix.</summary>
    public readonly record struct Need(ServerFeature Feature, string Setting, string Why, string Fix);

    public IReadOnlyList<Need> All => _needs;

    public bool Needs(ServerFeature feature) => _needs.Exists(n => n.Feature == feature);

    public ServerNeeds Add(ServerFeature feature, string setting, string why, string fix)
    {
        if (!_needs.Exists(n => n.Feature == feature && n.Setting == setting))
        {
            _needs.Add(new Need(feature, setting, why, fix));
        }

        return this;
    }

    public static ServerNeeds From(IEnumerable<IServerNeeds> parts)
    {
        var needs = new ServerNeeds();
        foreach (var part in parts)
        {
            part.Describe(needs);
        }

        return needs;
    }

    /// <summary>One line per need that <paramref name="server"/> cannot meet; <paramref name="where"/> names it ("Garnet 2.2.12 at cache:6379").</summary>
    public IReadOnlyList<string> Refusals(ServerProfile server, string where)
    {
        var refusals = new List<string>();
        foreach (var need in _needs)
        {
            var check = need.Feature switch
            {
                ServerFeature.Streams => server.Streams,
                ServerFeature.ShardedPubSub => server.ShardedPubSub,
                _ => server.LuaScripts,
            };
            if (check.State == FeatureState.No)
            {
                var said = check.Detail.Length > 0 ? $" ({check.Detail})" : "";
                refusals.Add(need.Feature == ServerFeature.ShardedPubSub
                    ? $"{need.Setting} needs sharded pub/sub (SPUBLISH and SSUBSCRIBE, Redis 7.0 or later), which {where} refused{said}; {need.Fix}"
                    : $"{need.Setting} needs {FeatureName(need.Feature)} ({need.Why}), which {where} does not offer{said}; {need.Fix}");
            }
        }

        return refusals;
    }

    public static string FeatureName(ServerFeature feature) => feature switch
    {
        ServerFeature.Streams => "streams",
        ServerFeature.ShardedPubSub => "sharded pub/sub",
        _ => "Lua scripts",
    };

    /// <summary>PATTERN as the user would write it, e.g. <c>PATTERN=all</c>, for a refusal line.</summary>
    public static string PatternSetting(Configuration.MessagingOptions messaging) =>
        $"PATTERN={Configuration.MessagingOptions.Patterns.FirstOrDefault(p => p.Value == messaging.Pattern).Key ?? messaging.Pattern.ToString().ToLowerInvariant()}";

    /// <summary>PATTERN with a stream: XADD on one side, XREADGROUP on the other.</summary>
    public ServerNeeds StreamsFor(Configuration.MessagingOptions messaging)
    {
        if (messaging.Uses(Configuration.Pattern.Stream))
        {
            Add(ServerFeature.Streams, PatternSetting(messaging), "XADD and XREADGROUP", "use PATTERN=pubsub, queue or both on this server");
        }

        return this;
    }

    /// <summary>PUBSUB_MODE=sharded: every service subscribes or publishes its channel and doorbells with SSUBSCRIBE and SPUBLISH.</summary>
    internal sealed class Shared(Configuration.MessagingOptions messaging) : IServerNeeds
    {
        public void Describe(ServerNeeds needs)
        {
            if (messaging.PubSubMode == PubSubMode.Sharded)
            {
                needs.Add(ServerFeature.ShardedPubSub, "PUBSUB_MODE=sharded", "SPUBLISH and SSUBSCRIBE", "use PUBSUB_MODE=classic");
            }
        }
    }
}

internal static class ServerNeedsServiceCollectionExtensions
{
    /// <summary>Registers a part's <see cref="IServerNeeds"/>, which the start-up probe checks.</summary>
    public static IServiceCollection AddServerNeeds<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] T>(this IServiceCollection services)
        where T : class, IServerNeeds
    {
        services.AddSingleton<IServerNeeds, T>();
        return services;
    }
}
