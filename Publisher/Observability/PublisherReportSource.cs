using PubSubDemo.Publisher.Sending;
using PubSubDemo.Messaging.Producing;
using PubSubDemo.Shared.Configuration;
using PubSubDemo.Messaging.Configuration;
using PubSubDemo.Shared.Observability;
using PubSubDemo.Messaging.Observability;

namespace PubSubDemo.Publisher.Observability;

/// <summary>The publisher's monitor report: messages sent and the rate, what is buffered, retried or lost.</summary>
internal sealed class PublisherReportSource(
    PublisherStats stats,
    MessagingSettings messaging,
    PublisherSettings settings,
    TimeProvider time) : IMonitorReportSource
{
    private readonly DateTimeOffset _startedAt = time.GetUtcNow();
    private long _lastSent;

    public MonitorReport Build(TimeSpan elapsed, string status)
    {
        var sent = stats.Sent;
        var rate = (sent - _lastSent) / Math.Max(elapsed.TotalSeconds, 0.001);
        _lastSent = sent;
        return new MonitorReport
        {
            Role = MonitorReport.PublisherRole,
            Instance = messaging.InstanceName,
            Pattern = messaging.Pattern.ToString().ToLowerInvariant(),
            StartedAt = _startedAt,
            At = time.GetUtcNow(),
            Count = sent,
            Rate = Math.Round(rate, 1),
            Status = status,
            MemoryBytes = Environment.WorkingSet,
            QueueLength = stats.LastQueueLength >= 0 ? stats.LastQueueLength : null,
            Buffered = stats.Buffered,
            Retries = stats.Retries,
            Unsent = stats.Unsent,
            Receivers = stats.LastReceivers >= 0 ? stats.LastReceivers : null,
            StreamLength = stats.LastStreamLength >= 0 ? stats.LastStreamLength : null,
            StreamRetentionHeld = stats.LastStreamLength >= 0 ? stats.StreamRetentionHeld : null,
        };
    }

    /// <summary>The generator beats once per message, so its allowance grows with the pause between messages.</summary>
    public TimeSpan? MaxSilence(string loop, TimeSpan stallTimeout) => stallTimeout + Period();

    private TimeSpan Period() => settings.Rate switch
    {
        null => settings.Interval,
        > 0 and var rate => TimeSpan.FromSeconds(1 / rate),
        _ => TimeSpan.Zero,
    };
}
