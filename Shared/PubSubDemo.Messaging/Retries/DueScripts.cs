namespace PubSubDemo.Messaging.Retries;

/// <summary>
/// The Lua that moves what became due out of a due set (retries and delayed messages, scored by due time in Unix
/// milliseconds), atomically: whichever consumer runs it takes each due item exactly once, and an item is always in
/// exactly one place (the due set, a processing list or a consumer's pending entries). Every key is passed in KEYS,
/// which DragonFly requires; the time comes in ARGV, so the script is deterministic. Each returns the earliest due
/// time left first (the score as text, or '' when the set is empty), so the consumer knows when to look again.
/// </summary>
internal static class DueScripts
{
    /// <summary>
    /// KEYS[1] queue, KEYS[2] this consumer's processing list, KEYS[3] the queue's due set; ARGV[1] how many, ARGV[2] now.
    /// Takes up to ARGV[1] due members (each "attempts:nonce|payload", <see cref="QueueDueMember"/>) out of the due set,
    /// then tops the batch up from the head of the queue, as the plain take does; pushes them all to the processing list,
    /// the due members as they are, so their attempt count stays with them. Returns {next due, {items}}.
    /// </summary>
    public const string TakeQueue = """
        local items = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', ARGV[2], 'LIMIT', 0, ARGV[1])
        if #items > 0 then redis.call('ZREM', KEYS[3], unpack(items)) end
        local rest = tonumber(ARGV[1]) - #items
        if rest > 0 then
          local popped = redis.call('LPOP', KEYS[1], rest)
          if type(popped) == 'string' then popped = {popped} end
          if popped then for _, item in ipairs(popped) do items[#items + 1] = item end end
        end
        if #items > 0 then redis.call('RPUSH', KEYS[2], unpack(items)) end
        local next = redis.call('ZRANGE', KEYS[3], 0, 0, 'WITHSCORES')
        return {next[2] or '', items}
        """;

    /// <summary>
    /// KEYS[1] the group's due set of a stream, KEYS[2] the stream; ARGV[1] now, ARGV[2] how many, ARGV[3] group, ARGV[4]
    /// this consumer. First checks that the group exists: XCLAIM on a vanished group answers NOGROUP on Redis but an
    /// empty array on DragonFly, and the ids taken out of the due set would then be lost without a word. XPENDING's
    /// summary errors NOGROUP on both (XINFO is not safe inside a DragonFly script), and nothing has been changed yet, so
    /// the error (always starting with NOGROUP: DragonFly's pcall keeps a leading '-') leaves the due set as it was for
    /// the consumer to report and recover from. Then takes up to ARGV[2] due entry ids out of the due set and claims them
    /// (they stayed pending in the group while they waited), which counts a delivery. Returns {next due, {entries as
    /// XCLAIM gives them}, {delivery counts}}. An id the existing group no longer has pending is not returned and leaves
    /// the due set: it was acknowledged, or deleted from the stream, or (in a group recreated where the lost one left
    /// off, see StreamGroups) it lies after the group's position and is delivered again by the next read.
    /// </summary>
    public const string ClaimStream = """
        local ok, err = pcall(redis.call, 'XPENDING', KEYS[2], ARGV[3])
        if not ok then
          local message = type(err) == 'table' and err.err or tostring(err)
          return redis.error_reply((string.gsub(message, '^%-', '')))
        end
        local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])
        local claimed = {}
        local counts = {}
        if #ids > 0 then
          redis.call('ZREM', KEYS[1], unpack(ids))
          claimed = redis.call('XCLAIM', KEYS[2], ARGV[3], ARGV[4], 0, unpack(ids))
          for i, entry in ipairs(claimed) do
            local pending = redis.call('XPENDING', KEYS[2], ARGV[3], entry[1], entry[1], 1)
            counts[i] = pending[1] and pending[1][4] or 1
          end
        end
        local next = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
        return {next[2] or '', claimed, counts}
        """;
}
