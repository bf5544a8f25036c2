namespace PubSubDemo.Messaging.Observability;

/// <summary>
/// The timestamps that the long-running loops touch once per iteration; /health/live reads them to tell a loop
/// that has stalled from a process that is merely up. A beat costs one clock read and one volatile write.
/// </summary>
internal sealed class LoopHeartbeat(TimeProvider time)
{
    private readonly Lock _gate = new();
    private Loop[] _loops = [];

    /// <summary>Marks <paramref name="loop"/> as having come round once more.</summary>
    public void Beat(string loop)
    {
        var now = time.GetTimestamp();
        foreach (var known in Volatile.Read(ref _loops))
        {
            if (string.Equals(known.Name, loop, StringComparison.Ordinal))
            {
                Volatile.Write(ref known.LastBeat, now);
                return;
            }
        }

        lock (_gate)
        {
            // Copy on write: a loop is added once, and beats never take the lock afterwards.
            var loops = _loops;
            if (Array.Find(loops, l => string.Equals(l.Name, loop, StringComparison.Ordinal)) is { } raced)
            {
                Volatile.Write(ref raced.LastBeat, now);
                return;
            }

            Volatile.Write(ref _loops, [.. loops, new Loop(loop, now)]);
        }
    }

    /// <summary>Every loop that has beaten at least once, with the time since its last beat.</summary>
    public IReadOnlyList<LoopBeat> Read()
    {
        var now = time.GetTimestamp();
        var loops = Volatile.Read(ref _loops);
        var result = new LoopBeat[loops.Length];
        for (var i = 0; i < loops.Length; i++)
        {
            result[i] = new LoopBeat(loops[i].Name, time.GetElapsedTime(Volatile.Read(ref loops[i].LastBeat), now));
        }

        return result;
    }

    private sealed class Loop(string name, long lastBeat)
    {
        public readonly string Name = name;
        public long LastBeat = lastBeat;
    }
}

/// <summary>One loop and how long ago it last came round.</summary>
internal readonly record struct LoopBeat(string Name, TimeSpan Silence);
