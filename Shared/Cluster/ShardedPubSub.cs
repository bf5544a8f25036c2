using Microsoft.Extensions.Logging;
using PubSubDemo.Shared.Configuration;
using PubSubDemo.Shared.Connection;
using StackExchange.Redis;

namespace PubSubDemo.Shared.Cluster;

/// <summary>
/// With PUBSUB_MODE=sharded, checks once on connect, before any worker gets the connection, that the server has
/// sharded pub/sub at all. A server without it (Redis 6, or SPUBLISH renamed away) stops the service with one line
/// that says so: every worker then fails on the connection, and the service exits 1.
/// </summary>
public static partial class ShardedPubSub
{
    /// <summary>A channel nobody subscribes to: an SPUBLISH to it shows whether the server knows the command.</summary>
    public const string ProbeChannel = "pubsubdemo:sharded-probe";

    public static async Task EnsureAvailableAsync(IConnectionMultiplexer multiplexer, MessagingSettings messaging, string server, ILogger logger)
    {
        if (messaging.PubSubMode != PubSubMode.Sharded)
        {
            return;
        }

        try
        {
            await multiplexer.GetSubscriber().PublishAsync(RedisChannel.Sharded(ProbeChannel), RedisValue.EmptyString);
        }
        catch (RedisException ex) when (!RedisErrors.IsTransient(ex))
        {
            var problem = $"PUBSUB_MODE=sharded needs sharded pub/sub (SPUBLISH and SSUBSCRIBE, Redis 7.0 or later), which {server} refused ({ex.Message}); use PUBSUB_MODE=classic";
            LogUnavailable(logger, problem);
            throw new InvalidOperationException(problem, ex);
        }
    }

    [LoggerMessage(1104, LogLevel.Critical, "{Problem}")]
    private static partial void LogUnavailable(ILogger logger, string problem);
}
