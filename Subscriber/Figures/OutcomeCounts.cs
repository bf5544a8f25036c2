using PubSubDemo.Messaging;

namespace PubSubDemo.Subscriber.Figures;

/// <summary>Deliveries counted by what became of them (<see cref="MessageOutcome"/>), as a source's or a channel's figures show them. Thread-safe.</summary>
internal abstract class OutcomeCounts
{
    private readonly long[] _counts = new long[(int)MessageOutcome.Disconnected + 1];

    /// <summary>Everything that arrived, well-formed or not.</summary>
    public long Received => Of(MessageOutcome.Received);

    public long Handled => Of(MessageOutcome.Handled);

    public long Malformed => Of(MessageOutcome.Malformed);

    public long Failed => Of(MessageOutcome.Failed);

    /// <summary>Messages FILTER kept from the handler (acknowledged on the queue and the stream, never dead-lettered).</summary>
    public long Filtered => Of(MessageOutcome.Filtered);

    /// <summary>Channel messages dropped because the in-process buffer was full.</summary>
    public long Dropped => Of(MessageOutcome.Dropped);

    protected void Add(MessageOutcome outcome, int count = 1) => Interlocked.Add(ref _counts[(int)outcome], count);

    protected long Of(MessageOutcome outcome) => Interlocked.Read(ref _counts[(int)outcome]);
}
