using StackExchange.Redis;

namespace PubSubDemo.Messaging.Producing;

/// <summary>What the destinations share: which messages of a batch are still to send, and the arguments that carry them.</summary>
internal static class BatchParts
{
    /// <summary>The outcome of a destination that had nothing left to send.</summary>
    public static readonly Task<Exception?> AllTaken = Task.FromResult<Exception?>(null);

    /// <summary>The messages of <paramref name="batch"/> that <paramref name="destination"/> has not taken yet; null when none are left.</summary>
    public static List<OutgoingMessage>? Pending(List<OutgoingMessage> batch, Destinations destination)
    {
        var pending = 0;
        foreach (var message in batch)
        {
            pending += message.IsTakenBy(destination) ? 0 : 1;
        }

        if (pending == batch.Count || pending == 0)
        {
            return pending == 0 ? null : batch;
        }

        var rest = new List<OutgoingMessage>(pending);
        foreach (var message in batch)
        {
            if (!message.IsTakenBy(destination))
            {
                rest.Add(message);
            }
        }

        return rest;
    }

    /// <summary>Command or script arguments: the leading values, then every payload.</summary>
    public static RedisValue[] Arguments(List<OutgoingMessage> messages, params ReadOnlySpan<RedisValue> leading)
    {
        var values = new RedisValue[leading.Length + messages.Count];
        leading.CopyTo(values);
        for (var i = 0; i < messages.Count; i++)
        {
            values[leading.Length + i] = messages[i].Payload;
        }

        return values;
    }

    public static void MarkTaken(List<OutgoingMessage> messages, Destinations destination)
    {
        foreach (var message in messages)
        {
            message.MarkTakenBy(destination);
        }
    }

    /// <summary>
    /// <paramref name="pending"/> split by partition, in batch order within each; the list itself when every message
    /// goes to the same partition (always so with one partition).
    /// </summary>
    public static IEnumerable<(int Partition, List<OutgoingMessage> Messages)> ByPartition(List<OutgoingMessage> pending)
    {
        var first = pending[0].Partition;
        if (pending.TrueForAll(m => m.Partition == first))
        {
            return [(first, pending)];
        }

        return pending.GroupBy(m => m.Partition).Select(g => (g.Key, g.ToList()));
    }

    /// <summary>
    /// Awaits every send (so that each part marks what it took even when another failed) and returns the first
    /// failure, or null when all succeeded.
    /// </summary>
    public static async Task<Exception?> FirstFailureAsync(IReadOnlyList<Task<Exception?>> sends)
    {
        Exception? failure = null;
        foreach (var send in sends)
        {
            var outcome = await send;
            failure ??= outcome;
        }

        return failure;
    }
}
