using System.Diagnostics.Metrics;
using PubSubDemo.Shared.Configuration;
using PubSubDemo.Subscriber.Stats;

namespace PubSubDemo.Subscriber.Observability;

/// <summary>
/// The subscriber's instruments. Counts are observable views of <see cref="SubscriberStats"/> (read at collection,
/// nothing added to the message path); latency is a histogram fed by <see cref="MeasuringMessageHandler"/>;
/// backlog gauges read what the monitor report last fetched from the server.
/// </summary>
internal sealed class SubscriberMetrics
{
    public const string MeterName = "PubSubDemo.Subscriber";

    /// <summary>Seconds, as OpenTelemetry prefers: from 100 µs on a quiet loopback to 10 s behind a backlog.</summary>
    private static readonly double[] LatencyBuckets = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly KeyValuePair<string, object?>[] _sourceTags;
    private readonly Histogram<double> _latency;
    private readonly SourceStats[] _sources;

    public SubscriberMetrics(IMeterFactory meters, SubscriberStats stats, MessagingSettings messaging)
    {
        _sourceTags = [.. stats.All.Select(s => new KeyValuePair<string, object?>("source", s.Name))];
        _sources = [.. stats.All.Where(s => Uses(messaging, s.Source))];
        var meter = meters.Create(MeterName);

        meter.CreateObservableCounter("pubsubdemo.messages.received", () => PerSource(s => s.Received), "{message}", "Messages that arrived, well-formed or not");
        meter.CreateObservableCounter("pubsubdemo.messages.handled", () => PerSource(s => s.Handled), "{message}", "Messages the handler completed");
        meter.CreateObservableCounter("pubsubdemo.messages.malformed", () => PerSource(s => s.Malformed), "{message}", "Payloads that were not a readable message");
        meter.CreateObservableCounter("pubsubdemo.messages.failed", () => PerSource(s => s.Failed), "{message}", "Handler failures (queue and stream items are retried)");
        meter.CreateObservableCounter("pubsubdemo.messages.dead_lettered", () => PerSource(s => s.DeadLettered), "{message}", "Items moved to the dead-letter list");
        meter.CreateObservableCounter("pubsubdemo.messages.dropped", () => PerSource(s => s.Dropped), "{message}", "Channel messages shed because the in-process buffer was full");

        var channel = stats.Channel;
        meter.CreateObservableUpDownCounter("pubsubdemo.pubsub.gaps", () => channel.Sequences.Missing, "{message}", "Channel messages never seen, from gaps in the senders' sequence numbers");
        meter.CreateObservableCounter("pubsubdemo.pubsub.duplicates", () => channel.Sequences.Duplicates, "{message}", "Channel messages seen twice");
        meter.CreateObservableCounter("pubsubdemo.pubsub.reorders", () => channel.Sequences.Reorders, "{message}", "Channel messages that arrived after a later one");

        _latency = meter.CreateHistogram(
            "pubsubdemo.message.latency",
            "s",
            "End-to-end latency: handled time minus the publisher's timestamp",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });

        if (messaging.Uses(Pattern.Queue))
        {
            meter.CreateObservableGauge("pubsubdemo.queue.length", () => Known(Server.QueueLength), "{message}", "Items waiting in the queue");
            meter.CreateObservableGauge("pubsubdemo.queue.processing.length", () => Known(Server.ProcessingLength), "{message}", "Items this consumer has taken and not yet settled");
        }

        if (messaging.Uses(Pattern.Stream))
        {
            meter.CreateObservableGauge("pubsubdemo.stream.lag", () => Known(Server.StreamLag), "{message}", "Stream entries not yet delivered to the consumer group");
        }

        meter.CreateObservableGauge("pubsubdemo.dead_letters.length", DeadLetterLengths, "{message}", "Entries in the dead-letter lists");
    }

    /// <summary>What only the server knows, as of the last monitor report; -1 until known.</summary>
    public ServerFigures Server { get; } = new();

    public HandlerWatchdog Watchdog { get; } = new();

    /// <summary>Every handled message's latency, for the monitor's per-second p50 and p99.</summary>
    public LatencyWindow Window { get; } = new();

    public void RecordLatency(MessageSource source, TimeSpan latency)
    {
        _latency.Record(latency.TotalSeconds, _sourceTags[(int)source]);
        Window.Record(latency);
    }

    private IEnumerable<Measurement<long>> PerSource(Func<SourceStats, long> value)
    {
        foreach (var source in _sources)
        {
            yield return new Measurement<long>(value(source), _sourceTags[(int)source.Source]);
        }
    }

    private IEnumerable<Measurement<long>> DeadLetterLengths()
    {
        if (Server.QueueDeadLetters >= 0)
        {
            yield return new Measurement<long>(Server.QueueDeadLetters, _sourceTags[(int)MessageSource.Queue]);
        }

        if (Server.StreamDeadLetters >= 0)
        {
            yield return new Measurement<long>(Server.StreamDeadLetters, _sourceTags[(int)MessageSource.Stream]);
        }
    }

    /// <summary>No measurement at all while the value is unknown, rather than a misleading zero.</summary>
    private static IEnumerable<Measurement<long>> Known(long value) => value >= 0 ? [new Measurement<long>(value)] : [];

    internal static bool Uses(MessagingSettings messaging, MessageSource source) => source switch
    {
        MessageSource.Channel => messaging.Uses(Pattern.PubSub),
        MessageSource.Queue => messaging.Uses(Pattern.Queue),
        _ => messaging.Uses(Pattern.Stream),
    };
}

/// <summary>Server-side figures, written once a second by the report and read by the gauges from any thread.</summary>
internal sealed class ServerFigures
{
    private long _queueLength = -1;
    private long _processingLength = -1;
    private long _streamLag = -1;
    private long _queueDeadLetters = -1;
    private long _streamDeadLetters = -1;

    public long QueueLength { get => Volatile.Read(ref _queueLength); set => Volatile.Write(ref _queueLength, value); }

    public long ProcessingLength { get => Volatile.Read(ref _processingLength); set => Volatile.Write(ref _processingLength, value); }

    public long StreamLag { get => Volatile.Read(ref _streamLag); set => Volatile.Write(ref _streamLag, value); }

    public long QueueDeadLetters { get => Volatile.Read(ref _queueDeadLetters); set => Volatile.Write(ref _queueDeadLetters, value); }

    public long StreamDeadLetters { get => Volatile.Read(ref _streamDeadLetters); set => Volatile.Write(ref _streamDeadLetters, value); }
}
