using System.Diagnostics.Metrics;
using HdrHistogram;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PubSubDemo.Messaging;
using PubSubDemo.Subscriber.Observability;

namespace PubSubDemo.Subscriber.Figures;

/// <summary>
/// The demo's figures, kept by observing the engine (<see cref="IMessagingObserver"/>): one <see cref="SourceFigures"/>
/// per source, the per-channel counts, the flow sample, the senders' sequences on the channel (gaps are logged as they
/// are seen) and the backlog the engine last read. The summary lines, the STATS_FILE and the monitor report read
/// these; the demo's own instruments (per channel, gaps) too. None of it is on the engine's message path: each outcome
/// reaches it once, after the engine counted it.
/// </summary>
internal sealed partial class SubscriberFigures : IMessagingObserver
{
    private readonly Lock _latencyGate = new();
    private readonly LongHistogram _reportWindow = LatencyHistogram.NewWindow();
    private readonly ILogger _logger;

    public SubscriberFigures(IMeterFactory meters, TimeProvider time, ILogger<SubscriberFigures> logger)
        : this(meters.Create(DemoInstruments.MeterName), time, logger)
    {
    }

    /// <summary>For tests: instruments on a meter of its own, no log.</summary>
    internal SubscriberFigures(TimeProvider? time = null)
        : this(new Meter(DemoInstruments.MeterName), time ?? TimeProvider.System, NullLogger.Instance)
    {
    }

    private SubscriberFigures(Meter meter, TimeProvider time, ILogger logger)
    {
        _logger = logger;
        Flow = new FlowSampler(time);
        Channel = new(MessageSource.Channel, Server, new LatencyHistogram(_latencyGate, _reportWindow));
        Queue = new(MessageSource.Queue, Server, new LatencyHistogram(_latencyGate, _reportWindow));
        Stream = new(MessageSource.Stream, Server, new LatencyHistogram(_latencyGate, _reportWindow));
        DemoInstruments.Create(meter, this);
    }

    public SourceFigures Channel { get; }

    public SourceFigures Queue { get; }

    public SourceFigures Stream { get; }

    public IEnumerable<SourceFigures> All => [Channel, Queue, Stream];

    /// <summary>The backlog on the server, as the engine last read it.</summary>
    public ServerBacklog Server { get; } = new();

    /// <summary>The channel source's figures per channel (CHANNEL's list, and each channel a glob matched).</summary>
    public ChannelFigures Channels { get; } = new();

    /// <summary>The sampled handled messages the monitor report carries for the flow table.</summary>
    public FlowSampler Flow { get; }

    public SourceFigures For(MessageSource source) => source switch
    {
        MessageSource.Channel => Channel,
        MessageSource.Queue => Queue,
        _ => Stream,
    };

    /// <inheritdoc/>
    public void OnMessage(in MessageEvent message)
    {
        var source = For(message.Source);
        source.On(in message);
        if (message.Source != MessageSource.Channel)
        {
            if (message.Outcome == MessageOutcome.Handled)
            {
                Flow.OnHandled(in message);
            }

            return;
        }

        // What pub/sub lost is followed on arrival, whatever the handler then does.
        if (message is { Outcome: MessageOutcome.Received, Sender: { } sender, Sequence: { } seq })
        {
            TrackSequence(source.Sequences, sender, seq);
        }
        else if (message.Outcome == MessageOutcome.Handled)
        {
            Flow.OnHandled(in message);
        }

        Channels.On(in message);
    }

    /// <inheritdoc/>
    public void OnBacklog(in BacklogEvent backlog) => Server.On(in backlog);

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

    private void TrackSequence(SequenceTracker sequences, string sender, long seq)
    {
        switch (sequences.Observe(sender, seq, out var missing))
        {
            case SequenceOutcome.Gap:
                LogGap(sender, seq - missing, seq - 1, missing);
                break;
            case SequenceOutcome.Duplicate:
                LogDuplicate(sender, seq);
                break;
            case SequenceOutcome.Reorder:
                LogReorder(sender, seq);
                break;
        }
    }

    [LoggerMessage(3004, LogLevel.Warning, "Gap on the channel from {Sender}: {Missing} messages missing (seq {From}..{To}); pub/sub does not keep what was published while we were away")]
    private partial void LogGap(string sender, long from, long to, long missing);

    [LoggerMessage(3005, LogLevel.Warning, "Duplicate on the channel from {Sender}: seq {Seq} seen before")]
    private partial void LogDuplicate(string sender, long seq);

    [LoggerMessage(3006, LogLevel.Information, "Late arrival on the channel from {Sender}: seq {Seq} fills an earlier gap")]
    private partial void LogReorder(string sender, long seq);
}
