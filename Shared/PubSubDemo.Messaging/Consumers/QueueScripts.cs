namespace PubSubDemo.Messaging.Consumers;

/// <summary>
/// The Lua that makes the work queue reliable. Every key a script touches is passed in KEYS, which
/// DragonFly requires. Each script runs atomically: an item is always in exactly one list.
/// </summary>
internal static class QueueScripts
{
    /// <summary>
    /// KEYS[1] queue, KEYS[2] this consumer's processing list; ARGV[1] how many.
    /// Moves up to ARGV[1] items from the head of the queue to the tail of the processing list and returns them. An
    /// empty queue's LPOP is false in Redis's Lua and an empty table in DragonFly's: both return {} before the RPUSH,
    /// which would refuse no values. Garnet 2.2.12 answers one popped item as a bare string, which becomes a table of one.
    /// </summary>
    public const string Take = """
        local items = redis.call('LPOP', KEYS[1], ARGV[1])
        if type(items) == 'string' then items = {items} end
        if not items or #items == 0 then return {} end
        redis.call('RPUSH', KEYS[2], unpack(items))
        return items
        """;

    /// <summary>
    /// KEYS[1] a processing list, KEYS[2] queue, KEYS[3] its consumer's heartbeat, KEYS[4] the consumer registry, KEYS[5]
    /// the queue's due set; ARGV[1] the consumer's name, ARGV[2] '1' to refuse while the heartbeat lives (reclaiming
    /// another's work). Moves every item back to the head of the queue in its original order and forgets the consumer.
    /// An item that came back from the due set (its attempt count in front, <see cref="Retries.QueueDueMember"/>) goes
    /// back to the due set instead, due at once, with its count: the queue holds only the wire format, and the count
    /// lives only with its item. Returns how many moved, or -1 when the consumer turned out to be alive.
    /// </summary>
    public const string Return = """
        if ARGV[2] == '1' and redis.call('EXISTS', KEYS[3]) == 1 then return -1 end
        local counted = '^%d+:' .. string.rep('%x', 32) .. '|'
        local n = 0
        local item = redis.call('RPOP', KEYS[1])
        while item do
          if string.find(item, counted) then
            redis.call('ZADD', KEYS[5], 0, item)
          else
            redis.call('LPUSH', KEYS[2], item)
          end
          n = n + 1
          item = redis.call('RPOP', KEYS[1])
        end
        redis.call('SREM', KEYS[4], ARGV[1])
        return n
        """;
}
