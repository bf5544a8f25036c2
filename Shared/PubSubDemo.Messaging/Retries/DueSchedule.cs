namespace PubSubDemo.Messaging.Retries;

/// <summary>
/// What one consumer knows of each partition's due set (the sorted set of retries and delayed messages, scored by
/// due time): the earliest due time it has seen or scheduled itself, and when it last looked. The consumer looks at the
/// due set only when that time has come or <c>recheck</c> has passed since the last look (other consumers schedule
/// too, and may die), so a consumer with nothing due pays nothing extra per batch, and its idle wait ends no later than
/// the earliest due time. Times are Unix milliseconds, the due set's scores. Used from the consumer's loop only.
/// </summary>
internal sealed class DueSchedule(int partitions, TimeProvider time, TimeSpan recheck)
{
    private const long None = long.MaxValue;
    private readonly long[] _next = new long[partitions];
    private readonly long[] _lookedAt = [.. Enumerable.Repeat(long.MinValue / 2, partitions)];

    public long Now => time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Whether partition <paramref name="partition"/>'s due set may hold something due by <paramref name="now"/>.</summary>
    public bool ShouldLook(int partition, long now) => _next[partition] <= now || now - _lookedAt[partition] >= (long)recheck.TotalMilliseconds;

    /// <summary>The consumer looked at <paramref name="now"/>; <paramref name="next"/> is the earliest due time left (null: none).</summary>
    public void Looked(int partition, long now, long? next)
    {
        _lookedAt[partition] = now;
        _next[partition] = next ?? None;
    }

    /// <summary>This consumer put an item in the due set, due at <paramref name="due"/>.</summary>
    public void Scheduled(int partition, long due) => _next[partition] = Math.Min(_next[partition], due);

    /// <summary>Look at every partition next round (a start, a reconnect, an idle wait that timed out).</summary>
    public void LookSoon() => Array.Fill(_lookedAt, long.MinValue / 2);

    /// <summary>How long until the earliest known due time; <paramref name="longest"/> when none is sooner.</summary>
    public TimeSpan Until(long now, TimeSpan longest)
    {
        var earliest = _next.Min();
        if (earliest == None)
        {
            return longest;
        }

        var wait = TimeSpan.FromMilliseconds(Math.Max(1, earliest - now));
        return wait < longest ? wait : longest;
    }

    /// <summary>
    /// A due time as a due set scores it: Unix milliseconds rounded up, so that an item taken at its score is due by then
    /// (rounded down, a notBefore of .5 ms past would be taken, found not due yet, and put back).
    /// </summary>
    public static long Score(DateTimeOffset due) => (due.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks + TimeSpan.TicksPerMillisecond - 1) / TimeSpan.TicksPerMillisecond;

    /// <summary>Parses a due time as a script returns it (the score as text, or empty when the set is empty).</summary>
    public static long? Parse(string? score) =>
        double.TryParse(score, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value) ? (long)value : null;
}
