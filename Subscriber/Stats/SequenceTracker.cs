namespace PubSubDemo.Subscriber.Stats;

/// <summary>What one sequence number says about the stream of messages from its sender.</summary>
public enum SequenceOutcome
{
    First,
    InOrder,
    Gap,
    Duplicate,
    Reorder,
}

/// <summary>
/// Pub/sub is at-most-once: this is how the subscriber still sees what it lost. Per sender it follows the
/// sequence numbers and counts gaps (messages never seen), duplicates and reorders (late arrivals of a gap).
/// </summary>
public sealed class SequenceTracker
{
    /// <summary>Missing numbers remembered per sender, to tell a late arrival from a duplicate; older ones stay counted as lost.</summary>
    private const int MaxRemembered = 10_000;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, SenderState> _senders = new(StringComparer.Ordinal);

    public long Missing { get; private set; }

    public long Duplicates { get; private set; }

    public long Reorders { get; private set; }

    public int Senders
    {
        get
        {
            lock (_gate)
            {
                return _senders.Count;
            }
        }
    }

    /// <summary>Records <paramref name="seq"/> from <paramref name="sender"/>; <paramref name="missing"/> is how many a gap skipped.</summary>
    public SequenceOutcome Observe(string sender, long seq, out long missing)
    {
        missing = 0;
        lock (_gate)
        {
            if (!_senders.TryGetValue(sender, out var state))
            {
                _senders[sender] = new SenderState { Last = seq };
                return SequenceOutcome.First;
            }

            if (seq == state.Last + 1)
            {
                state.Last = seq;
                return SequenceOutcome.InOrder;
            }

            if (seq > state.Last + 1)
            {
                missing = seq - state.Last - 1;
                for (var s = Math.Max(state.Last + 1, seq - MaxRemembered); s < seq; s++)
                {
                    state.Gaps.Add(s);
                }

                // Keep the newest gaps: the oldest are the least likely to be filled by a late arrival.
                while (state.Gaps.Count > MaxRemembered)
                {
                    state.Gaps.Remove(state.Gaps.Min);
                }

                state.Last = seq;
                Missing += missing;
                return SequenceOutcome.Gap;
            }

            if (state.Gaps.Remove(seq))
            {
                Missing--;
                Reorders++;
                return SequenceOutcome.Reorder;
            }

            Duplicates++;
            return SequenceOutcome.Duplicate;
        }
    }

    private sealed class SenderState
    {
        public long Last { get; set; }

        public SortedSet<long> Gaps { get; } = [];
    }
}
