namespace PubSubDemo.Messaging.Dedupe;

/// <summary>The Lua that commits a batch's effects with their "handled" markers and acknowledgements. Every key is in KEYS.</summary>
internal static class DedupeScripts
{
    /// <summary>
    /// KEYS[1] what acknowledges (the queue's processing list, the stream; the channel passes its first marker, unused),
    /// KEYS[2..n+1] the messages' markers, then the effect commands' keys in order.
    /// ARGV[1] 'queue' (LREM the item), 'stream' (XACK the entry id) or 'none'; ARGV[2] the stream's group;
    /// ARGV[3] the markers' TTL in milliseconds; ARGV[4] n; then per message: the item or entry id to acknowledge, its
    /// command count, and per command: the name, the argument count, the arguments after the key.
    /// Per message, in one atomic step: when its marker is absent, run its commands and set the marker; then
    /// acknowledge it either way. Returns per message 1 (applied), 0 (already handled: nothing applied) or the error
    /// of the command that failed (the marker is not set and it is not acknowledged, so it is retried; like MULTI,
    /// the commands before it stay applied).
    /// </summary>
    public const string Commit = """
        local mode, group, ttl, n = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
        local a, k = 5, n + 2
        local result = {}
        for i = 1, n do
          local ack, commands = ARGV[a], tonumber(ARGV[a + 1])
          a = a + 2
          local fresh = redis.call('EXISTS', KEYS[i + 1]) == 0
          local failed = nil
          for c = 1, commands do
            local name, count = ARGV[a], tonumber(ARGV[a + 1])
            if fresh and not failed then
              local reply = redis.pcall(name, KEYS[k], unpack(ARGV, a + 2, a + 1 + count))
              if type(reply) == 'table' and reply.err then failed = reply.err end
            end
            a = a + 2 + count
            k = k + 1
          end
          if failed then
            result[i] = failed
          else
            if fresh then redis.call('SET', KEYS[i + 1], '1', 'PX', ttl) end
            if mode == 'queue' then redis.call('LREM', KEYS[1], 1, ack)
            elseif mode == 'stream' then redis.call('XACK', KEYS[1], group, ack) end
            result[i] = fresh and 1 or 0
          end
        end
        return result
        """;
}
