using PubSubDemo.Messaging.Cluster;
using PubSubDemo.Shared.Configuration;
using PubSubDemo.Messaging.Configuration;
using PubSubDemo.Shared.Connection;
using PubSubDemo.Messaging.Connection;
using PubSubDemo.Shared.Contract;
using PubSubDemo.Messaging.Contract;
using PubSubDemo.Shared.Observability;
using PubSubDemo.Messaging.Observability;
using StackExchange.Redis;

namespace PubSubDemo.Monitor.Collection;

/// <summary>
/// Once a second: finds every process by its report key (SCAN, which DragonFly, Redis and Valkey all answer; on a
/// cluster, on every primary), reads the reports, joins their sampled messages into the flow table, reads the backlog
/// of every partition of QUEUE and STREAM from the node that holds each (the client routes by slot,
/// <see cref="PartitionFigures"/>) and the newest dead letters, and publishes one snapshot.
/// </summary>
internal sealed partial class SnapshotCollector(
    RedisConnection connection,
    MessagingSettings messaging,
    SnapshotFeed feed,
    MonitorSettings settings,
    TimeProvider time,
    ILogger<SnapshotCollector> logger) : BackgroundService
{
    /// <summary>Dead letters shown per list (queue and stream).</summary>
    private const int DeadLettersShown = 5;

    private readonly MessageFlow _flow = new();
    private string? _lastProblem;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        IConnectionMultiplexer multiplexer;
        try
        {
            multiplexer = await connection.GetAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        using var timer = new PeriodicTimer(MonitorKeys.Interval, time);
        try
        {
            do
            {
                feed.Publish(await CollectOrReportAsync(multiplexer));
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task<Snapshot> CollectOrReportAsync(IConnectionMultiplexer multiplexer)
    {
        try
        {
            var snapshot = await CollectAsync(multiplexer);
            if (_lastProblem is not null)
            {
                _lastProblem = null;
                LogRecovered();
            }

            return snapshot;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            var problem = ex.GetBaseException().Message;
            if (problem != _lastProblem)
            {
                _lastProblem = problem;
                LogCollectFailed(problem);
            }

            // The page says so instead of freezing on the last good numbers.
            return Compose([], new Backlog(messaging.Queue, null, null, null, null, messaging.Stream, messaging.Group, null, null, null, null), [], $"not reachable: {problem}");
        }
    }

    internal async Task<Snapshot> CollectAsync(IConnectionMultiplexer multiplexer)
    {
        // On a cluster the reports and the processing lists are spread over the primaries: every one is scanned.
        var database = multiplexer.GetDatabase();
        var keys = await ClusterKeys.ScanAsync(multiplexer, MonitorKeys.Match);
        var values = ClusterKeys.GetEachAsync(database, keys);
        var (backlog, partitions) = await PartitionFigures.ReadAsync(multiplexer, messaging);
        if (messaging.PartitionCount > 1)
        {
            backlog = backlog with { Partitions = partitions };
        }

        var queueLetters = NewestDeadLettersAsync(database, messaging.QueuePartitions);
        var streamLetters = NewestDeadLettersAsync(database, messaging.StreamPartitions);

        var reports = (await values)
            .Where(v => v.HasValue)
            .Select(v => MonitorReport.TryRead((byte[])v!))
            .OfType<MonitorReport>()
            .ToList();
        IReadOnlyList<DeadLetterView> deadLetters =
        [
            .. MessageFlow.DeadLetters("queue", await queueLetters),
            .. MessageFlow.DeadLetters("stream", await streamLetters),
        ];
        return Compose(reports, backlog, [.. deadLetters.OrderByDescending(d => d.At).Take(DeadLettersShown)], $"{connection.ServerDescription} at {connection.Endpoint}");
    }

    private Snapshot Compose(List<MonitorReport> reports, Backlog backlog, IReadOnlyList<DeadLetterView> deadLetters, string server)
    {
        var now = time.GetUtcNow();
        var processes = reports
            .OrderBy(r => r.Role == MonitorReport.PublisherRole ? 0 : 1)
            .ThenBy(r => r.Instance, StringComparer.Ordinal)
            .Select(r => new ProcessView(r with { Flow = null }, Math.Round(Math.Max(0, (now - r.At).TotalSeconds), 1)))
            .ToList();
        var subscribers = reports.Where(r => r.Role == MonitorReport.SubscriberRole).ToList();
        var weighted = subscribers.Where(r => r.P50Ms is not null && r.Rate > 0).ToList();
        var weight = weighted.Sum(r => r.Rate);
        var point = new ChartPoint(
            now.ToUnixTimeMilliseconds(),
            Math.Round(reports.Where(r => r.Role == MonitorReport.PublisherRole).Sum(r => r.Rate), 1),
            Math.Round(subscribers.Sum(r => r.Rate), 1),
            weight > 0 ? Math.Round(weighted.Sum(r => r.P50Ms!.Value * r.Rate) / weight, 3) : null,
            subscribers.Max(r => r.P99Ms));
        return new Snapshot(now, server, settings.History.TotalSeconds, processes, backlog, point, _flow.Add(subscribers, now), deadLetters);
    }

    /// <summary>The newest dead letters of every partition's list; a list that is not there yet (or not a list) gives none.</summary>
    private static async Task<RedisValue[]> NewestDeadLettersAsync(IDatabase database, IEnumerable<string> queuesOrStreams)
    {
        var letters = new List<RedisValue>();
        foreach (var name in queuesOrStreams)
        {
            try
            {
                letters.AddRange(await database.ListRangeAsync(KeyNames.DeadLetters(name), -DeadLettersShown, -1));
            }
            catch (RedisServerException)
            {
            }
        }

        return [.. letters];
    }

    [LoggerMessage(5001, LogLevel.Warning, "Could not read the reports from the server: {Reason}; the page shows the server as not reachable")]
    private partial void LogCollectFailed(string reason);

    [LoggerMessage(5002, LogLevel.Information, "Reading the reports again")]
    private partial void LogRecovered();
}
