using System.Diagnostics.Metrics;
using PubSubDemo.Messaging.Contract;
using PubSubDemo.Messaging.Processing;

namespace PubSubDemo.Messaging.Telemetry;

/// <summary>
/// The one outcome path of one source (channel, queue or stream): the <see cref="MessageProcessor"/> and the consumers'
/// settlement report each outcome here once; it is counted for the instruments on the meter, handled messages' latency
/// is recorded on the latency histogram, and every <see cref="IMessagingObserver"/> sees it. Thread-safe; an outcome
/// costs an interlocked add and, with observers, one call each with a <see cref="MessageEvent"/> built on the stack.
/// What a reader makes of the outcomes (summaries, percentiles, gaps) belongs to an observer, not to this path.
/// </summary>
internal sealed class SourceTelemetry
{
    private readonly Histogram<double> _latencyInstrument;
    private readonly KeyValuePair<string, object?> _tag;
    private readonly long[] _counts = new long[(int)MessageOutcome.Disconnected + 1];
    private readonly IMessagingObserver[] _observers;
    private readonly string _destination;

    internal SourceTelemetry(MessageSource source, Histogram<double> latencyInstrument, string destination = "", IMessagingObserver[]? observers = null)
    {
        _observers = observers ?? [];
        _destination = destination;
        Source = source;
        Name = source.ToString().ToLowerInvariant();
        _latencyInstrument = latencyInstrument;
        _tag = new("source", Name);
    }

    public MessageSource Source { get; }

    /// <summary>The channel, queue or stream name its observers' events carry.</summary>
    public string Destination => _destination;

    /// <summary>The source as log lines, tags and reports name it: channel, queue or stream.</summary>
    public string Name { get; }

    /// <summary>How many deliveries had <paramref name="outcome"/> so far (what the instruments read).</summary>
    public long Count(MessageOutcome outcome) => Interlocked.Read(ref _counts[(int)outcome]);

    /// <summary>
    /// Counts <paramref name="count"/> deliveries with <paramref name="outcome"/> and tells the observers; nothing at all
    /// for a count of zero. <paramref name="message"/> (or just its <paramref name="id"/>) and <paramref name="channel"/>
    /// say which delivery it was, when the caller knows.
    /// </summary>
    internal void Report(MessageOutcome outcome, int count = 1, Message? message = null, string? channel = null, string? id = null)
    {
        if (count <= 0)
        {
            return;
        }

        Interlocked.Add(ref _counts[(int)outcome], count);
        if (_observers.Length > 0)
        {
            Notify(new MessageEvent(Source, _destination, outcome, count, null)
            {
                MessageId = message?.Id ?? id,
                Sender = message?.Sender,
                Sequence = message?.Seq,
                SentAt = message?.Timestamp,
                Channel = channel,
            });
        }
    }

    /// <summary>The handler completed <paramref name="latency"/> after the message was sent (or due), at <paramref name="at"/>.</summary>
    internal void OnHandled(Message message, TimeSpan latency, DateTimeOffset at, string? traceId, string? channel)
    {
        Interlocked.Increment(ref _counts[(int)MessageOutcome.Handled]);
        _latencyInstrument.Record(latency.TotalSeconds, _tag);
        if (_observers.Length > 0)
        {
            Notify(new MessageEvent(Source, _destination, MessageOutcome.Handled, 1, latency)
            {
                MessageId = message.Id,
                Sender = message.Sender,
                Sequence = message.Seq,
                SentAt = message.Timestamp,
                Channel = channel,
                HandledAt = at,
                TraceId = traceId,
            });
        }
    }

    private void Notify(in MessageEvent message)
    {
        foreach (var observer in _observers)
        {
            observer.OnMessage(in message);
        }
    }
}
