using Microsoft.Extensions.Logging;
using PubSubDemo.Messaging.Contract;
using StackExchange.Redis;

namespace PubSubDemo.Messaging.Producing;

/// <summary>
/// STREAM_MAXLEN without dropping what a consumer group has not read: after each batch the stream is trimmed to its
/// newest STREAM_MAXLEN entries, but never past the oldest entry some group still needs (pending in it, which includes
/// the entries waiting in its due set for a retry, or not yet delivered to it). While a group lags, the stream grows
/// past STREAM_MAXLEN; that is logged once per change and shown in the metrics and the monitor report. Redis 8.2's
/// XTRIM ... ACKED would do the same on the server; Redis 7, Valkey and DragonFly do not have it.
/// <para>
/// The groups are read from the client (XINFO GROUPS, then XPENDING's summary for those with pending entries), not
/// inside the script: DragonFly's XINFO inside Lua hands its work to the shard's queue and waits for it, and a script
/// already running on that queue's one worker waits on itself, stalling every key of the shard. What can change between
/// the read and the trim cannot make the bound unsafe for a group that was read: a group's position and its oldest
/// pending entry only move forward (new deliveries are after its last-delivered id, a claim keeps the id), so a bound
/// read earlier is older, never newer, than the one at the trim; the script still asks each group read for its oldest
/// pending entry again (XPENDING is safe in a DragonFly script), which covers a group set back with XGROUP SETID and
/// read since. A group created between the read and the trim at an old id is treated like one created just after the
/// trim (as with the single script before): it starts at the oldest entry the stream still holds. A group created at
/// $, the default, needs nothing that exists.
/// </para>
/// <para><paramref name="trimmed"/> hears each trim: the length after it, the entries removed, and whether a group held it back.</para>
/// </summary>
internal sealed partial class StreamRetention(string stream, long maxLength, Action<long, long, bool> trimmed, ILogger logger)
{
    /// <summary>
    /// KEYS[1] the stream; ARGV[1] STREAM_MAXLEN; ARGV[2] the oldest id a group needed when the client read them ('' when
    /// there was no group); ARGV[3..] the names of the groups read. Lowers the bound to any of those groups' oldest
    /// pending id that is older, then trims the oldest entries beyond ARGV[1], none of them at or after the bound (kept
    /// too: one entry's slack, no id arithmetic). Returns {length after, removed, 1 when a group held the trim back else 0}.
    /// </summary>
    public const string TrimBelow = """
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
        local need = ARGV[2] ~= '' and ARGV[2] or false
        for i = 3, #ARGV do
            local ok, summary = pcall(redis.call, 'XPENDING', KEYS[1], ARGV[i])
            local oldest = ok and type(summary) == 'table' and summary[2]
            if type(oldest) == 'string' and (not need or older(oldest, need)) then need = oldest end
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
    private int _held = -1;
    private int _requests;
    private Task _trimming = Task.CompletedTask;

    /// <summary>
    /// Asked after each batch, behind its adds; its outcome never fails the batch. One trim runs at a time: asks that
    /// come while it runs are folded into one more, so the last batch is always followed by a trim.
    /// </summary>
    public void Trim(IDatabase database)
    {
        if (Interlocked.Increment(ref _requests) == 1)
        {
            _trimming = TrimWhileAskedAsync(database);
        }
    }

    /// <summary>Completes when no trim runs: the sender waits for it after the last batch, before the connection closes.</summary>
    public Task WhenIdle => _trimming;

    /// <summary>The oldest id any group of <paramref name="stream"/> needs, read from the client, and the groups' names.</summary>
    public static async Task<(string? Oldest, RedisValue[] Groups)> OldestNeededAsync(IDatabase database, RedisKey stream)
    {
        string? oldest = null;
        var groups = await database.StreamGroupInfoAsync(stream);
        foreach (var group in groups)
        {
            var need = group.LastDeliveredId;
            if (group.PendingMessageCount > 0)
            {
                need = (await database.StreamPendingAsync(stream, group.Name)).LowestPendingMessageId.ToString();
            }

            oldest = StreamIds.Min([oldest, need]);
        }

        return (oldest, [.. groups.Select(g => (RedisValue)g.Name)]);
    }

    /// <summary>Reads the groups and trims, as <see cref="TrimBelow"/> says; returns what it returns.</summary>
    public static async Task<long[]> TrimAsync(IDatabase database, RedisKey stream, long maxLength)
    {
        // Within its limit, a trim costs this one round trip and reads no group.
        var length = await database.StreamLengthAsync(stream);
        if (length <= maxLength)
        {
            return [length, 0, 0];
        }

        var (oldest, groups) = await OldestNeededAsync(database, stream);
        return (long[])(await database.ScriptEvaluateAsync(TrimBelow, [stream], [maxLength, oldest ?? "", .. groups]))!;
    }

    /// <summary>Without scripting the groups cannot be read atomically, so nothing is trimmed: said once.</summary>
    public void Unavailable()
    {
        if (Interlocked.Exchange(ref _held, 2) != 2)
        {
            LogNotApplied(stream, maxLength);
        }
    }

    private async Task TrimWhileAskedAsync(IDatabase database)
    {
        do
        {
            Volatile.Write(ref _requests, 1);
            await TrimOnceAsync(database);
        }
        while (Interlocked.Decrement(ref _requests) > 0);
    }

    private async Task TrimOnceAsync(IDatabase database)
    {
        long[] result;
        try
        {
            result = await TrimAsync(database, _stream, maxLength);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // The next batch trims again; the adds themselves report any outage.
            return;
        }

        var (length, held) = (result[0], (int)result[2]);
        trimmed(length, result[1], held == 1);
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
