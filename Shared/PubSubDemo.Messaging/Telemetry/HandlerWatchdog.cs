using PubSubDemo.Messaging.Processing;

namespace PubSubDemo.Messaging.Telemetry;

/// <summary>
/// When each source's running handler calls began. The channel loop may wait for messages as long as none are
/// published, so its heartbeat cannot tell idle from stuck; a handler call that never returns can. A source may run
/// several calls at once (one per entry of a CHANNEL list), so each call is kept by its start until it exits, and the
/// oldest one running is what counts: a stuck call is seen however busy the others are.
/// </summary>
internal sealed class HandlerWatchdog
{
    private readonly List<long>[] _running = [[], [], []];

    internal void Enter(MessageSource source, long timestamp)
    {
        var running = _running[(int)source];
        lock (running)
        {
            running.Add(timestamp);
        }
    }

    /// <summary>The call that began at <paramref name="timestamp"/> returned (two that began at the same tick are alike).</summary>
    internal void Exit(MessageSource source, long timestamp)
    {
        var running = _running[(int)source];
        lock (running)
        {
            running.Remove(timestamp);
        }
    }

    /// <summary>The sources with a handler call running, each with the timestamp its oldest running call began.</summary>
    public IEnumerable<(MessageSource Source, long StartedAt)> Running()
    {
        var found = new List<(MessageSource, long)>(_running.Length);
        for (var i = 0; i < _running.Length; i++)
        {
            lock (_running[i])
            {
                if (_running[i].Count > 0)
                {
                    found.Add(((MessageSource)i, _running[i].Min()));
                }
            }
        }

        return found;
    }
}
