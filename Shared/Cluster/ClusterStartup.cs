using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PubSubDemo.Shared.Configuration;
using PubSubDemo.Shared.Connection;
using StackExchange.Redis;

namespace PubSubDemo.Shared.Cluster;

/// <summary>
/// Once connected: logs the cluster's shape and where this service's queue, stream and sharded channel live, and
/// with PUBSUB_MODE=sharded makes sure the server has sharded pub/sub at all. A server without it (Redis 6, or
/// SPUBLISH renamed away) stops the service with one line that says so, and exit code 1.
/// </summary>
public sealed partial class ClusterStartup(
    RedisConnection connection,
    MessagingSettings messaging,
    TimeProvider time,
    ILogger<ClusterStartup> logger) : BackgroundService
{
    /// <summary>A channel nobody subscribes to: SPUBLISH to it shows whether the server knows the command.</summary>
    public const string ProbeChannel = "pubsubdemo:sharded-probe";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (await connection.TryGetAsync(stoppingToken) is not { } multiplexer)
        {
            return;
        }

        try
        {
            if (messaging.PubSubMode == PubSubMode.Sharded)
            {
                await RedisErrors.RetryAsync(() => ProbeShardedAsync(multiplexer), (reason, _) => LogRetry(reason), time, stoppingToken);
            }

            ClusterShape? shape = null;
            await RedisErrors.RetryAsync(async () => shape = await ClusterShape.ReadAsync(multiplexer, messaging), (reason, _) => LogRetry(reason), time, stoppingToken);
            if (shape is null)
            {
                LogSingleServer(messaging.PubSubMode.ToString().ToLowerInvariant());
                return;
            }

            LogShape(shape.Describe(), messaging.PubSubMode.ToString().ToLowerInvariant());
            foreach (var name in shape.Names)
            {
                LogPlacement(name.What, name.Name, name.Slot, name.Node);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task ProbeShardedAsync(IConnectionMultiplexer multiplexer)
    {
        try
        {
            await multiplexer.GetSubscriber().PublishAsync(RedisChannel.Sharded(ProbeChannel), RedisValue.EmptyString);
        }
        catch (RedisException ex) when (!RedisErrors.IsTransient(ex))
        {
            var problem = $"PUBSUB_MODE=sharded needs sharded pub/sub (SPUBLISH/SSUBSCRIBE, Redis 7.0 or later), which {connection.ServerDescription} at {connection.Endpoint} refused ({ex.Message}); use PUBSUB_MODE=classic";
            LogNoSharded(problem);
            throw new InvalidOperationException(problem, ex);
        }
    }

    [LoggerMessage(1101, LogLevel.Information, "Redis Cluster of {Shape}; pub/sub is {Mode}")]
    private partial void LogShape(string shape, string mode);

    [LoggerMessage(1102, LogLevel.Information, "The {What} '{Name}' and its derived keys are in slot {Slot}, on {Node}")]
    private partial void LogPlacement(string what, string name, int slot, string node);

    [LoggerMessage(1103, LogLevel.Debug, "Not a cluster: one server holds every key; pub/sub is {Mode}")]
    private partial void LogSingleServer(string mode);

    [LoggerMessage(1104, LogLevel.Critical, "{Problem}")]
    private partial void LogNoSharded(string problem);

    [LoggerMessage(1105, LogLevel.Warning, "Could not read the cluster's shape yet: {Reason}; retrying")]
    private partial void LogRetry(string reason);
}
