using PubSubDemo.Subscriber.Processing;

namespace PubSubDemo.Subscriber.Telemetry;

/// <summary>
/// When each source's handler call began, or 0 while none runs. The channel loop may wait for messages as long as
/// none are published, so its heartbeat cannot tell idle from stuck; a handler call that never returns can.
/// </summary>
public sealed class HandlerWatchdog
{
    private readonly long[] _startedAt = new long[3];

    internal void Enter(MessageSource source, long timestamp) => Volatile.Write(ref _startedAt[(int)source], timestamp);

    internal void Exit(MessageSource source) => Volatile.Write(ref _startedAt[(int)source], 0);

    /// <summary>The sources whose handler call has been running, with the timestamp it began.</summary>
    public IEnumerable<(MessageSource Source, long StartedAt)> Running()
    {
        for (var i = 0; i < _startedAt.Length; i++)
        {
            if (Volatile.Read(ref _startedAt[i]) is var started and not 0)
            {
                yield return ((MessageSource)i, started);
            }
        }
    }
}
