using PubSubDemo.Messaging.Contract;
using PubSubDemo.Messaging.Consumers;
using StackExchange.Redis;

namespace PubSubDemo.Messaging.Retries;

/// <summary>
/// The stream's side of retries and delayed messages. A failed entry, or one not due yet, stays pending in the group
/// (the server keeps its payload and its delivery count, which is its attempt count) and its id goes into the group's
/// due set, scored by due time. When it is due, <see cref="DueScripts.ClaimStream"/> takes it out and claims it for the
/// consumer that ran it, exactly once. Until then, recovery and the claim of abandoned entries leave it alone.
/// </summary>
internal sealed class StreamRetries(ConsumerServices services)
{
    private readonly RedisKey[] _streams = [.. services.Messaging.StreamPartitions.Select(s => (RedisKey)s)];
    private readonly RedisKey[] _due = [.. services.Messaging.StreamPartitions.Select(s => (RedisKey)KeyNames.Due(s, services.Messaging.Group))];

    /// <summary>What one settlement put in the due set.</summary>
    public sealed class Later
    {
        public int Retried { get; set; }

        public int Delayed { get; set; }

        public bool Any => Retried + Delayed > 0;
    }

    /// <summary>How many deliveries an entry has had, this one included: its delivery count when known, else 1 (a first read).</summary>
    public static int Attempts(Dictionary<string, int>? deliveries, RedisValue id) =>
        deliveries is not null && deliveries.TryGetValue(id.ToString(), out var count) && count > 0 ? count : 1;

    /// <summary>Queues, in <paramref name="transaction"/>, the retry of an entry that failed its <paramref name="attempts"/>th delivery.</summary>
    public void Retry(ITransaction transaction, int partition, RedisValue id, long attempts, DueSchedule schedule, Later later)
    {
        var settings = services.Settings;
        var at = DueSchedule.Score(services.Time.GetUtcNow() + RetryBackoff.After(attempts, settings.RetryBackoff, settings.RetryBackoffMax, Random.Shared));
        _ = transaction.SortedSetAddAsync(_due[partition], id, at);
        schedule.Scheduled(partition, at);
        later.Retried++;
    }

    /// <summary>Queues, in <paramref name="transaction"/>, the wait of an entry that is due at <paramref name="dueAt"/>.</summary>
    public void Defer(ITransaction transaction, int partition, RedisValue id, DateTimeOffset dueAt, DueSchedule schedule, Later later)
    {
        var at = DueSchedule.Score(dueAt);
        _ = transaction.SortedSetAddAsync(_due[partition], id, at);

        // Its delivery at the due time is to count as its first attempt: the claim then counts one, so start from none.
        _ = transaction.ExecuteAsync("XCLAIM", _streams[partition], services.Messaging.Group, services.Consumer, 0, id, "RETRYCOUNT", 0, "JUSTID");
        schedule.Scheduled(partition, at);
        later.Delayed++;
    }

    /// <summary>Takes what became due in the partition's due set and claims it; returns the entries and their delivery counts.</summary>
    public async Task<(StreamEntry[] Entries, Dictionary<string, int> Deliveries)> ClaimDueAsync(IDatabase database, int partition, DueSchedule schedule)
    {
        var now = schedule.Now;
        var reply = (RedisResult[])(await database.ScriptEvaluateAsync(
            DueScripts.ClaimStream,
            [_due[partition], _streams[partition]],
            [now, services.Settings.BatchSize, services.Messaging.Group, services.Consumer]))!;
        schedule.Looked(partition, now, ScriptReplies.Score(reply[0]));
        var claimed = reply[1].IsNull ? [] : (RedisResult[])reply[1]!;
        var counts = reply[2].IsNull ? [] : (RedisResult[])reply[2]!;
        var entries = new StreamEntry[claimed.Length];
        var deliveries = new Dictionary<string, int>(claimed.Length);
        for (var i = 0; i < claimed.Length; i++)
        {
            var entry = (RedisResult[])claimed[i]!;
            var fields = entry.Length > 1 ? ScriptReplies.Values(entry[1]) : [];
            var values = new NameValueEntry[fields.Length / 2];
            for (var f = 0; f < values.Length; f++)
            {
                values[f] = new NameValueEntry(fields[2 * f], fields[(2 * f) + 1]);
            }

            entries[i] = new StreamEntry((RedisValue)entry[0], values);
            deliveries[entries[i].Id.ToString()] = (int)ScriptReplies.Count(i < counts.Length ? counts[i] : null, 1);
        }

        return (entries, deliveries);
    }

    /// <summary>The entries among <paramref name="entries"/> that do not wait in the due set.</summary>
    public async Task<StreamEntry[]> NotWaitingAsync(IDatabase database, int partition, StreamEntry[] entries)
    {
        if (entries.Length == 0)
        {
            return entries;
        }

        var scores = await database.SortedSetScoresAsync(_due[partition], [.. entries.Select(e => e.Id)]);
        return [.. entries.Where((_, i) => scores[i] is null)];
    }

    /// <inheritdoc cref="NotWaitingAsync(IDatabase, int, StreamEntry[])"/>
    public async Task<RedisValue[]> NotWaitingAsync(IDatabase database, int partition, RedisValue[] ids)
    {
        if (ids.Length == 0)
        {
            return ids;
        }

        var scores = await database.SortedSetScoresAsync(_due[partition], ids);
        return [.. ids.Where((_, i) => scores[i] is null)];
    }
}
