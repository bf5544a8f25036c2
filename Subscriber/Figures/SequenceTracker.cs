namespace PubSubDemo.Subscriber.Figures;

/// <summary>What one sequence number says about the stream of messages from its sender.</summary>
internal enum SequenceOutcome
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
internal sealed class SequenceTracker
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
                state.Remember(Math.Max(state.Last + 1, seq - MaxRemembered), seq - 1);
                state.Last = seq;
                Missing += missing;
                return SequenceOutcome.Gap;
            }

            if (state.Forget(seq))
            {
                Missing--;
                Reorders++;
                return SequenceOutcome.Reorder;
            }

            Duplicates++;
            return SequenceOutcome.Duplicate;
        }
    }

    /// <summary>
    /// Missing numbers as ranges, oldest first: a gap costs one entry whatever it skipped, where one entry per missing
    /// number made every message shed under overload cost a tree node, and slowed the subscriber that was already behind.
    /// </summary>
    private sealed class SenderState
    {
        private readonly LinkedList<(long From, long To)> _gaps = new();
        private long _remembered;

        public long Last { get; set; }

        /// <summary>Remembers <paramref name="from"/>..<paramref name="to"/> as missing; past MaxRemembered numbers the oldest are forgotten (they stay counted as lost).</summary>
        public void Remember(long from, long to)
        {
            _gaps.AddLast((from, to));
            _remembered += to - from + 1;
            while (_remembered > MaxRemembered)
            {
                var oldest = _gaps.First!;
                var size = oldest.Value.To - oldest.Value.From + 1;
                var excess = _remembered - MaxRemembered;
                if (size <= excess)
                {
                    _gaps.RemoveFirst();
                    _remembered -= size;
                }
                else
                {
                    oldest.Value = (oldest.Value.From + excess, oldest.Value.To);
                    _remembered -= excess;
                }
            }
        }

        /// <summary>Takes <paramref name="seq"/> out of the missing numbers; false when it was not among them (a duplicate, or forgotten).</summary>
        public bool Forget(long seq)
        {
            // Late arrivals are usually recent: search from the newest gap.
            for (var node = _gaps.Last; node is not null; node = node.Previous)
            {
                var (from, to) = node.Value;
                if (seq < from || seq > to)
                {
                    continue;
                }

                _remembered--;
                if (from == to)
                {
                    _gaps.Remove(node);
                }
                else if (seq == from)
                {
                    node.Value = (from + 1, to);
                }
                else if (seq == to)
                {
                    node.Value = (from, to - 1);
                }
                else
                {
                    node.Value = (from, seq - 1);
                    _gaps.AddAfter(node, (seq + 1, to));
                }

                return true;
            }

            return false;
        }
    }
}
