using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PubSubDemo.Messaging.Configuration;
using PubSubDemo.Messaging.Connection;

namespace PubSubDemo.Messaging.Cluster;

/// <summary>
/// Once connected: logs the cluster's shape and where this service's queue, stream and sharded channel live
/// (nothing on a single server, where one node holds everything).
/// </summary>
internal sealed partial class ClusterShapeReporter(
    RedisConnection connection,
    MessagingOptions messaging,
    TimeProvider time,
    ILogger<ClusterShapeReporter> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (await connection.TryGetAsync(stoppingToken) is not { } multiplexer)
        {
            return;
        }

        try
        {
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

    [LoggerMessage(1101, LogLevel.Information, "Redis Cluster of {Shape}; pub/sub is {Mode}")]
    private partial void LogShape(string shape, string mode);

    [LoggerMessage(1102, LogLevel.Information, "The {What} '{Name}' and its derived keys are in slot {Slot}, on {Node}")]
    private partial void LogPlacement(string what, string name, int slot, string node);

    [LoggerMessage(1103, LogLevel.Debug, "Not a cluster: one server holds every key; pub/sub is {Mode}")]
    private partial void LogSingleServer(string mode);

    [LoggerMessage(1105, LogLevel.Warning, "Could not read the cluster's shape yet: {Reason}; retrying")]
    private partial void LogRetry(string reason);
}
