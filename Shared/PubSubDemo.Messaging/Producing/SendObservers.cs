namespace PubSubDemo.Messaging.Producing;

/// <summary>
/// The one place the sending path reports to: every <see cref="IProducerObserver"/> in DI (the demo's PublisherStats is
/// one), each event once. With none registered (a typed producer in a service that observes nothing) each report is a
/// length check.
/// </summary>
internal sealed class SendObservers(IEnumerable<IProducerObserver> observers)
{
    private readonly IProducerObserver[] _all = [.. observers];

    public static readonly SendObservers None = new([]);

    public void Report(in ProducerEvent send)
    {
        foreach (var observer in _all)
        {
            observer.OnSend(in send);
        }
    }

    public void Taken(string destination, int partition, int count, long? length = null, long? receivers = null)
    {
        if (_all.Length > 0)
        {
            Report(new ProducerEvent(destination, ProducerOutcome.Taken, count) { Partition = partition, Length = length, Receivers = receivers });
        }
    }

    public void Sent(string destination, List<OutgoingMessage> messages)
    {
        if (_all.Length == 0)
        {
            return;
        }

        long bytes = 0;
        foreach (var message in messages)
        {
            bytes += message.Payload.Length();
        }

        Report(new ProducerEvent(destination, ProducerOutcome.Sent, messages.Count) { Bytes = bytes });
    }

    public void Failed(string destination, ProducerOutcome outcome, int count, string reason)
    {
        if (_all.Length > 0)
        {
            Report(new ProducerEvent(destination, outcome, count) { Reason = reason });
        }
    }

    public void Trimmed(string destination, int partition, long length, long removed, bool held)
    {
        if (_all.Length > 0)
        {
            Report(new ProducerEvent(destination, ProducerOutcome.Trimmed, (int)Math.Min(removed, int.MaxValue)) { Partition = partition, Length = length, RetentionHeld = held });
        }
    }
}
