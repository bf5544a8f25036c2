using PubSubDemo.Shared.Configuration;
using PubSubDemo.Shared.Contract;
using PubSubDemo.Shared.Observability;
using PubSubDemo.Subscriber.Consumers;
using PubSubDemo.Subscriber.Stats;
using StackExchange.Redis;

namespace PubSubDemo.Subscriber.Observability;

/// <summary>The subscriber's monitor report: per-source counts and rates, the last second's latency, and the backlog.</summary>
internal sealed class SubscriberReportSource(
    SubscriberStats stats,
    SubscriberMetrics metrics,
    MessagingSettings messaging,
    SubscriberSettings settings,
    TimeProvider time) : IMonitorReportSource
{
    private readonly DateTimeOffset _startedAt = time.GetUtcNow();
    private readonly string _consumer = settings.ConsumerName.Length > 0 ? settings.ConsumerName : messaging.InstanceName;
    private readonly long[] _lastHandled = new long[3];
    private long _lastTotal;

    public async Task RefreshAsync(IDatabase database)
    {
        var server = metrics.Server;
        if (messaging.Uses(Pattern.Queue))
        {
            var queue = database.ListLengthAsync(messaging.Queue);
            var processing = database.ListLengthAsync(KeyNames.Processing(messaging.Queue, _consumer));
            var dead = database.ListLengthAsync(KeyNames.DeadLetters(messaging.Queue));
            server.QueueLength = await queue;
            server.ProcessingLength = await processing;
            server.QueueDeadLetters = await dead;
        }

        if (messaging.Uses(Pattern.Stream))
        {
            var dead = database.ListLengthAsync(KeyNames.DeadLetters(messaging.Stream));
            try
            {
                var groups = await database.StreamGroupInfoAsync(messaging.Stream);
                server.StreamLag = groups.FirstOrDefault(g => g.Name == messaging.Group).Lag ?? -1;
            }
            catch (RedisServerException)
            {
                // No stream yet (nothing published, no group created): the lag is unknown, not zero.
                server.StreamLag = -1;
            }

            server.StreamDeadLetters = await dead;
        }
    }

    public MonitorReport Build(TimeSpan elapsed, string status)
    {
        var seconds = Math.Max(elapsed.TotalSeconds, 0.001);
        var sources = new List<SourceReport>(3);
        long total = 0;
        foreach (var source in stats.All.Where(s => SubscriberMetrics.Uses(messaging, s.Source)))
        {
            var handled = source.Handled;
            var index = (int)source.Source;
            var rate = (handled - _lastHandled[index]) / seconds;
            _lastHandled[index] = handled;
            total += handled;
            sources.Add(new SourceReport(
                source.Name,
                source.Received,
                handled,
                source.Malformed,
                source.Failed,
                source.DeadLettered,
                source.Dropped,
                source.Source == MessageSource.Channel ? source.Sequences.Missing : 0,
                Math.Round(rate, 1)));
        }

        var totalRate = (total - _lastTotal) / seconds;
        _lastTotal = total;
        var latency = metrics.Window.Take();
        var server = metrics.Server;
        return new MonitorReport
        {
            Role = MonitorReport.SubscriberRole,
            Instance = messaging.InstanceName,
            Pattern = messaging.Pattern.ToString().ToLowerInvariant(),
            StartedAt = _startedAt,
            At = time.GetUtcNow(),
            Count = total,
            Rate = Math.Round(totalRate, 1),
            P50Ms = latency?.P50,
            P99Ms = latency?.P99,
            Status = status,
            MemoryBytes = Environment.WorkingSet,
            Sources = sources,
            QueueLength = Known(server.QueueLength),
            ProcessingLength = Known(server.ProcessingLength),
            StreamLag = Known(server.StreamLag),
        };
    }

    public TimeSpan? MaxSilence(string loop, TimeSpan stallTimeout) => loop switch
    {
        // Waits on the channel as long as nothing is published; a stuck handler is the watchdog's to report.
        nameof(ChannelConsumer) => null,

        // One iteration may wait IDLE_POLL and then handle a whole batch at HANDLER_DELAY each.
        nameof(QueueConsumer) or nameof(Consumers.StreamConsumer) => stallTimeout + settings.IdlePoll + (settings.HandlerDelay * settings.BatchSize),
        _ => stallTimeout,
    };

    private static long? Known(long value) => value >= 0 ? value : null;
}
