using PubSubDemo.Shared.Configuration;
using PubSubDemo.Shared.Connection;
using PubSubDemo.Shared.Contract;
using PubSubDemo.Shared.Observability;
using StackExchange.Redis;

namespace PubSubDemo.Monitor.Collection;

/// <summary>
/// Once a second: finds every process by its report key (SCAN, which DragonFly, Redis and Valkey all answer),
/// reads the reports, joins their sampled messages into the flow table, reads the backlog and the newest dead letters
/// of QUEUE and STREAM from the server, and publishes one snapshot.
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
        var server = multiplexer.GetServers().FirstOrDefault(s => s.IsConnected && !s.IsReplica)
            ?? throw new RedisException("no connected server");
        var database = multiplexer.GetDatabase();

        var keys = new List<RedisKey>();
        await foreach (var key in server.KeysAsync(pattern: MonitorKeys.Match, pageSize: 1000))
        {
            keys.Add(key);
        }

        var processingKeys = new List<RedisKey>();
        await foreach (var key in server.KeysAsync(pattern: KeyNames.Processing(messaging.Queue, "*"), pageSize: 1000))
        {
            processingKeys.Add(key);
        }

        var values = keys.Count == 0 ? Task.FromResult(Array.Empty<RedisValue>()) : database.StringGetAsync([.. keys]);
        var queueLength = TryAsync(database.ListLengthAsync(messaging.Queue));
        var queueDead = TryAsync(database.ListLengthAsync(KeyNames.DeadLetters(messaging.Queue)));
        var consumers = TryAsync(database.SetLengthAsync(KeyNames.Consumers(messaging.Queue)));
        var processing = processingKeys.Select(k => TryAsync(database.ListLengthAsync(k))).ToList();
        var streamLength = TryAsync(database.StreamLengthAsync(messaging.Stream));
        var streamDead = TryAsync(database.ListLengthAsync(KeyNames.DeadLetters(messaging.Stream)));
        var groups = TryAsync(database.StreamGroupInfoAsync(messaging.Stream));
        var queueLetters = TryAsync(database.ListRangeAsync(KeyNames.DeadLetters(messaging.Queue), -DeadLettersShown, -1));
        var streamLetters = TryAsync(database.ListRangeAsync(KeyNames.DeadLetters(messaging.Stream), -DeadLettersShown, -1));

        var reports = (await values)
            .Where(v => v.HasValue)
            .Select(v => MonitorReport.TryRead((byte[])v!))
            .OfType<MonitorReport>()
            .ToList();
        var group = (await groups)?.FirstOrDefault(g => g.Name == messaging.Group);
        long? processingTotal = processing.Count == 0 ? 0 : (await Task.WhenAll(processing)).Sum(l => l ?? 0);
        var backlog = new Backlog(
            messaging.Queue,
            await queueLength,
            processingTotal,
            await consumers,
            await queueDead,
            messaging.Stream,
            messaging.Group,
            await streamLength,
            group?.Lag,
            group?.PendingMessageCount,
            await streamDead);
        IReadOnlyList<DeadLetterView> deadLetters =
        [
            .. MessageFlow.DeadLetters("queue", await queueLetters ?? []),
            .. MessageFlow.DeadLetters("stream", await streamLetters ?? []),
        ];
        return Compose(reports, backlog, [.. deadLetters.OrderByDescending(d => d.At)], $"{connection.ServerDescription} at {connection.Endpoint}");
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

    /// <summary>A figure the server cannot give (no such key yet, another type under that name) is unknown, not an error.</summary>
    private static async Task<T?> TryAsync<T>(Task<T> command)
    {
        try
        {
            return await command;
        }
        catch (RedisServerException)
        {
            return default;
        }
    }

    private static async Task<long?> TryAsync(Task<long> command)
    {
        try
        {
            return await command;
        }
        catch (RedisServerException)
        {
            return null;
        }
    }

    [LoggerMessage(5001, LogLevel.Warning, "Could not read the reports from the server: {Reason}; the page shows the server as not reachable")]
    private partial void LogCollectFailed(string reason);

    [LoggerMessage(5002, LogLevel.Information, "Reading the reports again")]
    private partial void LogRecovered();
}
