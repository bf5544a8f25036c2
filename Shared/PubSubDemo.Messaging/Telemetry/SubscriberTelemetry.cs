using System.Diagnostics.Metrics;
using HdrHistogram;
using PubSubDemo.Messaging.Configuration;
using PubSubDemo.Messaging.Processing;

namespace PubSubDemo.Messaging.Telemetry;

/// <summary>
/// The subscriber's telemetry: one <see cref="SourceTelemetry"/> sink per source, the backlog the server reports,
/// the handler watchdog, and the OpenTelemetry instruments on <see cref="MeterName"/> that read them.
/// </summary>
internal sealed class SubscriberTelemetry
{
    public const string MeterName = "PubSubDemo.Subscriber";

    private readonly Lock _latencyGate = new();
    private readonly LongHistogram _reportWindow = LatencyHistogram.NewWindow();

    public SubscriberTelemetry(IMeterFactory meters, MessagingOptions messaging, TimeProvider time, IEnumerable<IMessagingObserver>? observers = null)
        : this(meters.Create(MeterName), messaging, time, observers)
    {
    }

    /// <summary>A library registration's telemetry: its instruments carry the destination's name, so several registrations stay apart.</summary>
    public SubscriberTelemetry(IMeterFactory meters, MessagingOptions messaging, TimeProvider time, string destination, IEnumerable<IMessagingObserver> observers)
        : this(meters.Create(new MeterOptions(MeterName) { Tags = [new("messaging.destination.name", destination)] }), messaging, time, observers)
    {
    }

    /// <summary>For tests: instruments on a meter of its own, every source in use.</summary>
    internal SubscriberTelemetry()
        : this(new Meter(MeterName), new MessagingOptions { Pattern = Pattern.All }, TimeProvider.System)
    {
    }

    private SubscriberTelemetry(Meter meter, MessagingOptions messaging, TimeProvider time, IEnumerable<IMessagingObserver>? observers = null)
    {
        Flow = new FlowSampler(time);
        var latency = SubscriberInstruments.CreateLatency(meter);
        IMessagingObserver[] seen = [.. observers ?? []];
        Channel = new(MessageSource.Channel, Server, latency, new LatencyHistogram(_latencyGate, _reportWindow), messaging.Channel, seen);
        Queue = new(MessageSource.Queue, Server, latency, new LatencyHistogram(_latencyGate, _reportWindow), messaging.Queue, seen);
        Stream = new(MessageSource.Stream, Server, latency, new LatencyHistogram(_latencyGate, _reportWindow), messaging.Stream, seen);
        SubscriberInstruments.CreateObservers(meter, this, messaging);
    }

    public SourceTelemetry Channel { get; }

    public SourceTelemetry Queue { get; }

    public SourceTelemetry Stream { get; }

    public IEnumerable<SourceTelemetry> All => [Channel, Queue, Stream];

    public ServerFigures Server { get; } = new();

    /// <summary>The channel source's figures per channel (CHANNEL's list, and each channel a glob matched).</summary>
    public ChannelFigures Channels { get; } = new();

    /// <summary>The sampled handled messages the monitor report carries for the flow table.</summary>
    public FlowSampler Flow { get; }

    /// <summary>Which source's handler call is running, and since when: a call that never returns fails /health/live.</summary>
    public HandlerWatchdog Watchdog { get; } = new();

    public SourceTelemetry For(MessageSource source) => source switch
    {
        MessageSource.Channel => Channel,
        MessageSource.Queue => Queue,
        _ => Stream,
    };

    /// <summary>p50 and p99 in milliseconds over every source since the last call, for the monitor; null when nothing was handled.</summary>
    public (double P50, double P99)? TakeReportLatency()
    {
        lock (_latencyGate)
        {
            foreach (var source in All)
            {
                source.Latency.Harvest();
            }

            if (_reportWindow.TotalCount == 0)
            {
                return null;
            }

            var result = (_reportWindow.GetValueAtPercentile(50) / 1000.0, _reportWindow.GetValueAtPercentile(99) / 1000.0);
            _reportWindow.Reset();
            return result;
        }
    }

    /// <summary>Whether PATTERN consumes from <paramref name="source"/>.</summary>
    public static bool Uses(MessagingOptions messaging, MessageSource source) => source switch
    {
        MessageSource.Channel => messaging.Uses(Pattern.PubSub),
        MessageSource.Queue => messaging.Uses(Pattern.Queue),
        _ => messaging.Uses(Pattern.Stream),
    };
}
