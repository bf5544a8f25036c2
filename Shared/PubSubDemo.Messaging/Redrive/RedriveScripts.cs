namespace PubSubDemo.Messaging.Redrive;

/// <summary>The Lua that moves one dead letter back, atomically: it is in the dead-letter list or in its queue (stream), never both, never neither.</summary>
internal static class RedriveScripts
{
    /// <summary>
    /// KEYS[1] the dead-letter list, KEYS[2] the queue or stream;
    /// ARGV[1] the dead-letter entry exactly as stored, ARGV[2] the original payload, ARGV[3] 'queue' or 'stream',
    /// ARGV[4] the stream entry's field. Removes the entry (one copy) and, only if it was still there, appends the bare
    /// payload to the queue's tail (a first delivery again: its attempts were kept only in front of it, see
    /// QueueDueMember), or adds it to the stream as a new entry (a fresh delivery count).
    /// Returns 1 when it moved, 0 when another redrive had taken it first.
    /// </summary>
    public const string Move = """
        if redis.call('LREM', KEYS[1], 1, ARGV[1]) == 0 then return 0 end
        if ARGV[3] == 'queue' then
          redis.call('RPUSH', KEYS[2], ARGV[2])
        else
          redis.call('XADD', KEYS[2], '*', ARGV[4], ARGV[2])
        end
        return 1
        """;
}
