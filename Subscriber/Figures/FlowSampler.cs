using PubSubDemo.Messaging;
using PubSubDemo.Shared.Observability;

namespace PubSubDemo.Subscriber.Figures;

/// <summary>
/// The sample of handled messages the monitor's flow table shows: per source, the first <see cref="PerSecond"/>
/// messages of each second of the publisher's clock (their timestamp), at most <see cref="PerReport"/> per report
/// interval. Each report carries the samples of the last two intervals, so that the monitor, which reads the report key
/// once a second on a clock of its own, still gets every sample when it misses one rewrite.
/// Every subscriber of a channel receives its messages in the same order, so every one picks the same messages and
/// the monitor can join them by id; a queue or stream message reaches one subscriber, which picks it or not. At
/// 100k msg/s a message costs one division and two reads; at a demo's pace every message is shown.
/// </summary>
internal sealed class FlowSampler(TimeProvider time)
{
    public const int PerSecond = 2;
    public const int PerReport = 32;

    private readonly Lock _gate = new();
    private readonly long[] _second = new long[3];
    private readonly int[] _taken = new int[3];
    private List<FlowSample> _pending = new(PerReport);
    private List<FlowSample> _previous = [];

    /// <summary>A handled message (<see cref="MessageOutcome.Handled"/>, with its id and timestamp), sampled or not.</summary>
    public void OnHandled(in MessageEvent handled)
    {
        if (handled is not { MessageId: { } id, SentAt: { } sentAt })
        {
            return;
        }

        var source = handled.Source;
        var index = (int)source;
        var second = sentAt.ToUnixTimeSeconds();

        // Read without the lock: a stale look only sends a message of this second on to the check below.
        if (Volatile.Read(ref _second[index]) == second && Volatile.Read(ref _taken[index]) >= PerSecond)
        {
            return;
        }

        lock (_gate)
        {
            if (_second[index] != second)
            {
                _second[index] = second;
                _taken[index] = 0;
            }

            if (_taken[index] >= PerSecond || _pending.Count >= PerReport)
            {
                return;
            }

            _taken[index]++;
            _pending.Add(new FlowSample(id, handled.Sender, source.ToString().ToLowerInvariant(), sentAt, time.GetUtcNow(), handled.TraceId));
        }
    }

    /// <summary>What was sampled in this interval and the one before, for the monitor report; null when nothing was.</summary>
    public IReadOnlyList<FlowSample>? Take()
    {
        lock (_gate)
        {
            List<FlowSample> taken = [.. _previous, .. _pending];
            _previous = _pending;
            _pending = new(PerReport);
            return taken.Count == 0 ? null : taken;
        }
    }
}
