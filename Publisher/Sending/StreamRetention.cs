using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace PubSubDemo.Publisher.Sending;

/// <summary>
/// STREAM_MAXLEN without dropping what a consumer group has not read: after each batch the stream is trimmed to its
/// newest STREAM_MAXLEN entries, but never past the oldest entry some group still needs (pending in it, or not yet
/// delivered to it). While a group lags, the stream grows past STREAM_MAXLEN; that is logged once per change and shown
/// in the metrics and the monitor report. Redis 8.2's XTRIM ... ACKED would do the same on the server; Redis 7, Valkey
/// and DragonFly do not have it, so the script reads the groups itself.
/// </summary>
internal sealed partial class StreamRetention(string stream, long maxLength, PublisherStats stats, ILogger logger)
{
    /// <summary>
    /// KEYS[1] the stream; ARGV[1] STREAM_MAXLEN. Trims the oldest entries beyond ARGV[1], none of them at or after the
    /// oldest id a group still needs: the smallest pending id, else its last-delivered id (kept too: one entry's slack,
    /// no id arithmetic). Returns {length after, removed, 1 when a group held the trim back else 0}.
    /// </summary>
    public const string TrimUnread = """
        local maxlen = tonumber(ARGV[1])
        local length = redis.call('XLEN', KEYS[1])
        local over = length - maxlen
        if over <= 0 then return {length, 0, 0} end
        local function older(a, b)
            local a1, a2 = string.match(a, '(%d+)-(%d+)')
            local b1, b2 = string.match(b, '(%d+)-(%d+)')
            a1, a2, b1, b2 = tonumber(a1), tonumber(a2), tonumber(b1), tonumber(b2)
            return a1 < b1 or (a1 == b1 and a2 < b2)
        end
        local need = false
        for _, g in ipairs(redis.call('XINFO', 'GROUPS', KEYS[1])) do
            local info = {}
            for i = 1, #g, 2 do info[g[i]] = g[i + 1] end
            local oldest = info['last-delivered-id']
            if tonumber(info['pending']) > 0 then oldest = redis.call('XPENDING', KEYS[1], info['name'])[2] end
            if not need or older(oldest, need) then need = oldest end
        end
        if not need then return {maxlen, redis.call('XTRIM', KEYS[1], 'MAXLEN', maxlen), 0} end
        local below = redis.call('XRANGE', KEYS[1], '-', need, 'COUNT', over)
        local removable = #below
        if removable > 0 and below[removable][1] == need then removable = removable - 1 end
        if removable == over then return {maxlen, redis.call('XTRIM', KEYS[1], 'MAXLEN', maxlen), 0} end
        local removed = redis.call('XTRIM', KEYS[1], 'MINID', need)
        return {length - removed, removed, 1}
        """;

    private readonly RedisKey _stream = stream;
    private readonly RedisValue[] _arguments = [maxLength];
    private int _held = -1;

    /// <summary>Sent in the batch's pipeline, right behind the adds; its outcome never fails the batch.</summary>
    public void Trim(IDatabase database) =>
        _ = ObserveAsync(database.ScriptEvaluateAsync(TrimUnread, [_stream], _arguments));

    /// <summary>Without scripting the groups cannot be read atomically, so nothing is trimmed: said once.</summary>
    public void Unavailable()
    {
        if (Interlocked.Exchange(ref _held, 2) != 2)
        {
            LogNotApplied(stream, maxLength);
        }
    }

    private async Task ObserveAsync(Task<RedisResult> trimming)
    {
        long[] result;
        try
        {
            result = (long[])(await trimming)!;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // The next batch trims again; the adds themselves report any outage.
            return;
        }

        var (length, held) = (result[0], (int)result[2]);
        stats.OnStreamTrimmed(length, held == 1);
        var previous = Interlocked.Exchange(ref _held, held);
        if (previous == held)
        {
            return;
        }

        if (held == 1)
        {
            LogHeld(stream, length, maxLength);
        }
        else if (previous == 1)
        {
            LogBackToLimit(stream, length, maxLength);
        }
    }

    [LoggerMessage(2201, LogLevel.Warning, "Stream '{Stream}' holds {Length} entries, past STREAM_MAXLEN={MaxLength}: a consumer group has not read or acknowledged the oldest, so they are kept until it has")]
    private partial void LogHeld(string stream, long length, long maxLength);

    [LoggerMessage(2202, LogLevel.Information, "Stream '{Stream}' is back to {Length} entries (STREAM_MAXLEN={MaxLength}): every group has caught up")]
    private partial void LogBackToLimit(string stream, long length, long maxLength);

    [LoggerMessage(2203, LogLevel.Warning, "The server refused scripts: STREAM_MAXLEN={MaxLength} is not applied to stream '{Stream}', since trimming without reading its groups could drop unread entries")]
    private partial void LogNotApplied(string stream, long maxLength);
}
