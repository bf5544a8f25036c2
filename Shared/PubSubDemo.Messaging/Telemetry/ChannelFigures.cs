using System.Collections.Concurrent;
using PubSubDemo.Messaging.Processing;

namespace PubSubDemo.Messaging.Telemetry;

/// <summary>
/// The channel source's counts split by the channel a message came on: each literal entry of CHANNEL, and each
/// channel a glob entry matched. A glob may match without bound, so past <see cref="MaxChannels"/> distinct names the
/// rest are counted together under <see cref="Other"/> (the source's own totals stay exact either way).
/// </summary>
internal sealed class ChannelFigures
{
    public const int MaxChannels = 64;

    public const string Other = "(other)";

    private readonly ConcurrentDictionary<string, ChannelCounts> _channels = new(StringComparer.Ordinal);

    /// <summary>The counts of <paramref name="channel"/>, made on first sight.</summary>
    public ChannelCounts For(string channel) =>
        _channels.TryGetValue(channel, out var known) ? known
        : _channels.Count >= MaxChannels ? _channels.GetOrAdd(Other, static name => new ChannelCounts(name))
        : _channels.GetOrAdd(channel, static name => new ChannelCounts(name));

    /// <summary>Every channel seen so far, by name.</summary>
    public IReadOnlyList<ChannelCounts> All => [.. _channels.Values.OrderBy(c => c.Name, StringComparer.Ordinal)];
}

/// <summary>What arrived on one channel and what became of it. Thread-safe.</summary>
internal sealed class ChannelCounts(string name)
{
    private long _received;
    private long _handled;
    private long _filtered;
    private long _malformed;
    private long _failed;
    private long _dropped;

    public string Name { get; } = name;

    public long Received => Interlocked.Read(ref _received);

    public long Handled => Interlocked.Read(ref _handled);

    public long Filtered => Interlocked.Read(ref _filtered);

    public long Malformed => Interlocked.Read(ref _malformed);

    public long Failed => Interlocked.Read(ref _failed);

    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>One delivery processed: received, and its disposition.</summary>
    internal void On(Disposition disposition)
    {
        Interlocked.Increment(ref _received);
        switch (disposition)
        {
            case Disposition.Handled:
                Interlocked.Increment(ref _handled);
                break;
            case Disposition.Filtered:
                Interlocked.Increment(ref _filtered);
                break;
            case Disposition.Malformed:
                Interlocked.Increment(ref _malformed);
                break;
            case Disposition.Failed:
                Interlocked.Increment(ref _failed);
                break;

            // A DEDUPE duplicate was neither handled again nor a failure: it counts as received only.
        }
    }

    /// <summary>One delivery shed before processing (the buffer was full): received, and dropped.</summary>
    internal void OnDropped()
    {
        Interlocked.Increment(ref _received);
        Interlocked.Increment(ref _dropped);
    }
}
