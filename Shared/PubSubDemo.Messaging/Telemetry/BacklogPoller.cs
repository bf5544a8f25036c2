using PubSubDemo.Messaging.Consumers;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PubSubDemo.Messaging.Configuration;
using PubSubDemo.Messaging.Connection;
using PubSubDemo.Messaging.Contract;
using PubSubDemo.Messaging.Observability;
using StackExchange.Redis;

namespace PubSubDemo.Messaging.Telemetry;

/// <summary>
/// The one place the subscriber asks the server for its backlog: once a second, the queue's length, this consumer's
/// processing list, the dead-letter lists, the due sets (retries and delayed messages) and the consumer group's lag, each summed over the partitions, into
/// <see cref="ServerFigures"/>, which the gauges read and the observers are told (<see cref="IMessagingObserver.OnBacklog"/>); and whether partitions beyond ours hold messages (<see cref="PartitionCheck"/>).
/// </summary>
internal sealed class BacklogPoller(
    RedisConnection connection,
    MessagingOptions messaging,
    ConsumerOptions settings,
    SubscriberTelemetry telemetry,
    TimeProvider time,
    ILogger<BacklogPoller> logger) : BackgroundService
{
    /// <summary>How often the backlog is read: once a second, the pace of the monitor report that shows it.</summary>
    internal static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    private readonly RedisKey[] _processing = [.. messaging.QueuePartitions.Select(q => (RedisKey)KeyNames.Processing(q, settings.ConsumerFor(messaging)))];
    private readonly PartitionCheck _check = new(messaging, logger);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!messaging.Uses(Pattern.Queue) && !messaging.Uses(Pattern.Stream))
        {
            return;
        }

        using var timer = new PeriodicTimer(PollInterval, time);
        try
        {
            // At start as soon as the server answers, then with every poll.
            await PollAsync((await connection.GetAsync(stoppingToken)).GetDatabase());
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
                var queue = SumAsync(messaging.QueuePartitions.Select(q => database.ListLengthAsync(q)));
                var processing = SumAsync(_processing.Select(p => database.ListLengthAsync(p)));
                var dead = SumAsync(messaging.QueuePartitions.Select(q => database.ListLengthAsync(KeyNames.DeadLetters(q))));
                var due = SumAsync(messaging.QueuePartitions.Select(q => database.SortedSetLengthAsync(KeyNames.Due(q))));
                server.QueueDue = await due;
                server.QueueLength = await queue;
                server.ProcessingLength = await processing;
                server.QueueDeadLetters = await dead;
            }

            if (messaging.Uses(Pattern.Stream))
            {
                var dead = SumAsync(messaging.StreamPartitions.Select(s => database.ListLengthAsync(KeyNames.DeadLetters(s))));
                var due = SumAsync(messaging.StreamPartitions.Select(s => database.SortedSetLengthAsync(KeyNames.Due(s, messaging.Group))));
                var lags = messaging.StreamPartitions.Select(s => StreamLagAsync(database, s)).ToArray();
                var lag = 0L;
                foreach (var partition in lags)
                {
                    // One unknown partition makes the sum unknown, not smaller.
                    lag = await partition is >= 0 and var known && lag >= 0 ? lag + known : -1;
                }

                server.StreamDue = await due;
                server.StreamLag = lag;
                server.StreamDeadLetters = await dead;
            }

            telemetry.ReportBacklog();
            await _check.CheckAsync(database);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // The consumers log outages; readers keep the last known figures.
        }
    }

    private static async Task<long> SumAsync(IEnumerable<Task<long>> lengths) => (await Task.WhenAll(lengths)).Sum();

    private async Task<long> StreamLagAsync(IDatabase database, string stream)
    {
        try
        {
            var groups = await database.StreamGroupInfoAsync(stream);
            return groups.FirstOrDefault(g => g.Name == messaging.Group).Lag ?? -1;
        }
        catch (RedisServerException)
        {
            // No stream yet (nothing published, no group created): the lag is unknown, not zero.
            return -1;
        }
    }
}
