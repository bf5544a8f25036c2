using Microsoft.Extensions.Hosting;
using PubSubDemo.Shared.Configuration;
using PubSubDemo.Shared.Connection;
using PubSubDemo.Shared.Contract;
using PubSubDemo.Shared.Observability;
using StackExchange.Redis;

namespace PubSubDemo.Subscriber.Telemetry;

/// <summary>
/// The one place the subscriber asks the server for its backlog: once a second, the queue's length, this consumer's
/// processing list, the dead-letter lists and the consumer group's lag, into <see cref="ServerFigures"/>.
/// </summary>
internal sealed class BacklogPoller(
    RedisConnection connection,
    MessagingSettings messaging,
    SubscriberSettings settings,
    SubscriberTelemetry telemetry,
    TimeProvider time) : BackgroundService
{
    private readonly RedisKey _processing = KeyNames.Processing(messaging.Queue, settings.ConsumerFor(messaging));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!messaging.Uses(Pattern.Queue) && !messaging.Uses(Pattern.Stream))
        {
            return;
        }

        using var timer = new PeriodicTimer(MonitorKeys.Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                if (connection.IsConnected)
                {
                    await PollAsync((await connection.GetAsync(stoppingToken)).GetDatabase());
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    internal async Task PollAsync(IDatabase database)
    {
        var server = telemetry.Server;
        try
        {
            if (messaging.Uses(Pattern.Queue))
            {
                var queue = database.ListLengthAsync(messaging.Queue);
                var processing = database.ListLengthAsync(_processing);
                var dead = database.ListLengthAsync(KeyNames.DeadLetters(messaging.Queue));
                server.QueueLength = await queue;
                server.ProcessingLength = await processing;
                server.QueueDeadLetters = await dead;
            }

            if (messaging.Uses(Pattern.Stream))
            {
                var dead = database.ListLengthAsync(KeyNames.DeadLetters(messaging.Stream));
                server.StreamLag = await StreamLagAsync(database);
                server.StreamDeadLetters = await dead;
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // The consumers log outages; readers keep the last known figures.
        }
    }

    private async Task<long> StreamLagAsync(IDatabase database)
    {
        try
        {
            var groups = await database.StreamGroupInfoAsync(messaging.Stream);
            return groups.FirstOrDefault(g => g.Name == messaging.Group).Lag ?? -1;
        }
        catch (RedisServerException)
        {
            // No stream yet (nothing published, no group created): the lag is unknown, not zero.
            return -1;
        }
    }
}
