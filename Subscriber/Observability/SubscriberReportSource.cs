using PubSubDemo.Shared.Configuration;
using PubSubDemo.Messaging.Configuration;
using PubSubDemo.Shared.Observability;
using PubSubDemo.Messaging.Observability;
using PubSubDemo.Messaging.Consumers;
using PubSubDemo.Messaging.Selection;
using PubSubDemo.Messaging.Telemetry;
using PubSubDemo.Subscriber.Figures;

namespace PubSubDemo.Subscriber.Observability;

/// <summary>The subscriber's monitor report: per-source counts and rates, the last second's latency, and the backlog.</summary>
internal sealed class SubscriberReportSource(
    SubscriberFigures figures,
    MessagingSettings messaging,
    SubscriberSettings settings,
    TimeProvider time,
    HandleRate? rate = null) : IMonitorReportSource
{
    private readonly DateTimeOffset _startedAt = time.GetUtcNow();
    private readonly long[] _lastHandled = new long[3];
    private readonly ChannelReports _channels = new(figures.Channels);
    private long _lastTotal;

    public MonitorReport Build(TimeSpan elapsed, string status)
    {
        var seconds = Math.Max(elapsed.TotalSeconds, 0.001);
        var sources = new List<SourceReport>(3);
        long total = 0;
        foreach (var source in figures.All.Where(s => SubscriberTelemetry.Uses(messaging, s.Source)))
        {
            var handled = source.Handled;
            var index = (int)source.Source;
            var rate = (handled - _lastHandled[index]) / seconds;
            _lastHandled[index] = handled;
            total += handled;
            sources.Add(new SourceReport(
                source.Name, source.Received, handled, source.Malformed, source.Failed, source.DeadLettered, source.Dropped,
                source.Sequences.Missing, Math.Round(rate, 1), source.Lost, source.Duplicate, source.Filtered, source.Retried, source.Delayed));
        }

        var totalRate = (total - _lastTotal) / seconds;
        _lastTotal = total;
        var latency = figures.TakeReportLatency();
        var server = figures.Server;
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
            QueueDue = Known(server.QueueDue),
            StreamDue = Known(server.StreamDue),
            Flow = figures.Flow.Take(),
            Channels = messaging.Uses(Pattern.PubSub) ? _channels.Build(seconds) : null,
        };
    }

    public TimeSpan? MaxSilence(string loop, TimeSpan stallTimeout) => loop switch
    {
        // Waits on the channel as long as nothing is published; a stuck handler is the watchdog's to report.
        nameof(ChannelConsumer) => null,

        // One iteration may wait IDLE_POLL and then handle a whole batch at HANDLER_DELAY each (and wait for HANDLE_RATE's tokens).
        nameof(QueueConsumer) or nameof(StreamConsumer) => stallTimeout + settings.IdlePoll + (settings.HandlerDelay * settings.BatchSize) + (rate?.LongestRound(messaging) ?? TimeSpan.Zero),
        _ => stallTimeout,
    };

    private static long? Known(long value) => value >= 0 ? value : null;
}
