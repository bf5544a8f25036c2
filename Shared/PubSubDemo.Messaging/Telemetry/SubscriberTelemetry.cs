using System.Diagnostics.Metrics;
using PubSubDemo.Messaging.Configuration;
using PubSubDemo.Messaging.Processing;

namespace PubSubDemo.Messaging.Telemetry;

/// <summary>
/// The engine's telemetry for a subscriber: the outcome path of each source (<see cref="SourceTelemetry"/>), the
/// backlog the server reports, the handler watchdog, and the OpenTelemetry instruments on <see cref="MeterName"/> that
/// read them. Every <see cref="IMessagingObserver"/> registered sees each outcome and each backlog reading; the demo's
/// summary, STATS_FILE, monitor report, flow samples and gap tracking are such an observer, in the subscriber host.
/// </summary>
internal sealed class SubscriberTelemetry
{
    public const string MeterName = "PubSubDemo.Subscriber";

    private readonly IMessagingObserver[] _observers;
    private readonly MessagingOptions _messaging;

    public SubscriberTelemetry(IMeterFactory meters, MessagingOptions messaging, IEnumerable<IMessagingObserver>? observers = null)
        : this(meters.Create(MeterName), messaging, observers)
    {
    }

    /// <summary>A library registration's telemetry: its instruments carry the destination's name, so several registrations stay apart.</summary>
    public SubscriberTelemetry(IMeterFactory meters, MessagingOptions messaging, string destination, IEnumerable<IMessagingObserver> observers)
        : this(meters.Create(new MeterOptions(MeterName) { Tags = [new("messaging.destination.name", destination)] }), messaging, observers)
    {
    }

    /// <summary>For tests: instruments on a meter of its own, every source in use, and the observers given.</summary>
    internal SubscriberTelemetry(params IMessagingObserver[] observers)
        : this(new Meter(MeterName), new MessagingOptions { Pattern = Pattern.All }, observers)
    {
    }

    private SubscriberTelemetry(Meter meter, MessagingOptions messaging, IEnumerable<IMessagingObserver>? observers)
    {
        _messaging = messaging;
        _observers = [.. observers ?? []];
        var latency = SubscriberInstruments.CreateLatency(meter);
        Channel = new(MessageSource.Channel, latency, messaging.Channel, _observers);
        Queue = new(MessageSource.Queue, latency, messaging.Queue, _observers);
        Stream = new(MessageSource.Stream, latency, messaging.Stream, _observers);
        SubscriberInstruments.CreateObservers(meter, this, messaging);
    }

    public SourceTelemetry Channel { get; }

    public SourceTelemetry Queue { get; }

    public SourceTelemetry Stream { get; }

    public IEnumerable<SourceTelemetry> All => [Channel, Queue, Stream];

    public ServerFigures Server { get; } = new();

    /// <summary>Which source's handler call is running, and since when: a call that never returns fails /health/live.</summary>
    public HandlerWatchdog Watchdog { get; } = new();

    public SourceTelemetry For(MessageSource source) => source switch
    {
        MessageSource.Channel => Channel,
        MessageSource.Queue => Queue,
        _ => Stream,
    };

    /// <summary>Tells the observers what <see cref="Server"/> now holds for the queue and the stream PATTERN consumes (after each backlog poll).</summary>
    public void ReportBacklog()
    {
        if (_observers.Length == 0)
        {
            return;
        }

        var server = Server;
        if (_messaging.Uses(Pattern.Queue))
        {
            Notify(new BacklogEvent(MessageSource.Queue, Queue.Destination, server.QueueLength, server.QueueDue, server.ProcessingLength, server.QueueDeadLetters));
        }

        if (_messaging.Uses(Pattern.Stream))
        {
            Notify(new BacklogEvent(MessageSource.Stream, Stream.Destination, server.StreamLag, server.StreamDue, -1, server.StreamDeadLetters));
        }
    }

    /// <summary>Whether PATTERN consumes from <paramref name="source"/>.</summary>
    public static bool Uses(MessagingOptions messaging, MessageSource source) => source switch
    {
        MessageSource.Channel => messaging.Uses(Pattern.PubSub),
        MessageSource.Queue => messaging.Uses(Pattern.Queue),
        _ => messaging.Uses(Pattern.Stream),
    };

    private void Notify(in BacklogEvent backlog)
    {
        foreach (var observer in _observers)
        {
            observer.OnBacklog(in backlog);
        }
    }
}
