using System.Collections.Concurrent;
using PubSubDemo.Messaging;

namespace PubSubDemo.Subscriber.Figures;

/// <summary>
/// The channel source's counts split by the channel a message came on (<see cref="MessageEvent.Channel"/>): each
/// literal entry of CHANNEL, and each channel a glob entry matched. A glob may match without bound, so past
/// <see cref="MaxChannels"/> distinct names the rest are counted together under <see cref="Other"/> (the source's own
/// totals stay exact either way).
/// </summary>
internal sealed class ChannelFigures
{
    public const int MaxChannels = 64;

    public const string Other = "(other)";

    private readonly ConcurrentDictionary<string, ChannelCounts> _channels = new(StringComparer.Ordinal);

    // The channel of the last event: a literal entry's loop names the same channel every time, so most events find
    // their counts here without a lookup. Written racily, but each value is whole (a ChannelCounts knows its name).
    private ChannelCounts? _last;

    /// <summary>The counts of <paramref name="channel"/>, made on first sight.</summary>
    public ChannelCounts For(string channel)
    {
        if (Volatile.Read(ref _last) is { } last && string.Equals(last.Name, channel, StringComparison.Ordinal))
        {
            return last;
        }

        var found = _channels.TryGetValue(channel, out var known) ? known
            : _channels.Count >= MaxChannels ? _channels.GetOrAdd(Other, static name => new ChannelCounts(name))
            : _channels.GetOrAdd(channel, static name => new ChannelCounts(name));
        if (found.Name == channel)
        {
            Volatile.Write(ref _last, found);
        }

        return found;
    }

    /// <summary>Every channel seen so far, by name.</summary>
    public IReadOnlyList<ChannelCounts> All => [.. _channels.Values.OrderBy(c => c.Name, StringComparer.Ordinal)];

    /// <summary>One outcome of a delivery on <see cref="MessageEvent.Channel"/>; outcomes without a channel are the source's only.</summary>
    public void On(in MessageEvent message)
    {
        if (message.Channel is { } channel)
        {
            For(channel).On(message.Outcome);
        }
    }
}

/// <summary>What arrived on one channel and what became of it. Thread-safe.</summary>
internal sealed class ChannelCounts(string name) : OutcomeCounts
{
    public string Name { get; } = name;

    /// <summary>
    /// One outcome on this channel. A delivery shed before processing (the buffer was full) counts as received and
    /// dropped; a DEDUPE duplicate was neither handled again nor a failure: it counts as received only.
    /// </summary>
    internal void On(MessageOutcome outcome)
    {
        if (outcome == MessageOutcome.Dropped)
        {
            Add(MessageOutcome.Received);
        }

        Add(outcome);
    }
}
