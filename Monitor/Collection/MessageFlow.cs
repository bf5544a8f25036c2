using PubSubDemo.Shared.Contract;
using PubSubDemo.Messaging.Contract;
using PubSubDemo.Shared.Observability;
using PubSubDemo.Messaging.Observability;

namespace PubSubDemo.Monitor.Collection;

/// <summary>One sampled message and every subscriber that handled it; the newest first on the page.</summary>
internal sealed record FlowMessage(string Id, string? Sender, string Source, DateTimeOffset SentAt, IReadOnlyList<string> HandledBy, string? TraceId);

/// <summary>One of the newest dead letters: where, why, by whom, and which message when it could still be read.</summary>
internal sealed record DeadLetterView(string Source, string Reason, string Consumer, DateTimeOffset At, int Attempts, string? MessageId, string Excerpt);

/// <summary>
/// The flow table: joins the subscribers' sampled messages (<see cref="MonitorReport.Flow"/>) by source and id, so a
/// channel message shows every subscriber it reached and a queue message the one that took it. A row is shown once it
/// has been known for <see cref="Settle"/>: each subscriber reports once a second and the monitor reads once a second,
/// so by then every subscriber that handled the message has said so. A report read twice adds nobody twice.
/// </summary>
internal sealed class MessageFlow
{
    /// <summary>Rows on the page.</summary>
    public const int Shown = 12;

    public static readonly TimeSpan Settle = TimeSpan.FromSeconds(2);

    /// <summary>Messages remembered for the join: a subscriber that reports a second late still finds its row.</summary>
    private const int Remembered = 200;

    private readonly Dictionary<(string Source, string Id), Entry> _entries = [];

    public IReadOnlyList<FlowMessage> Add(IEnumerable<MonitorReport> reports, DateTimeOffset now)
    {
        foreach (var report in reports)
        {
            foreach (var sample in report.Flow ?? [])
            {
                if (!_entries.TryGetValue((sample.Source, sample.Id), out var entry))
                {
                    entry = new Entry(sample, now);
                    _entries.Add((sample.Source, sample.Id), entry);
                }

                entry.HandledBy.Add(report.Instance);
            }
        }

        if (_entries.Count > Remembered)
        {
            foreach (var stale in _entries.OrderBy(e => e.Value.Sample.SentAt).Take(_entries.Count - Remembered).Select(e => e.Key).ToList())
            {
                _entries.Remove(stale);
            }
        }

        return _entries.Values
            .Where(e => now - e.FirstSeen >= Settle)
            .OrderByDescending(e => e.Sample.SentAt)
            .ThenBy(e => e.Sample.Id, StringComparer.Ordinal)
            .Take(Shown)
            .Select(e => new FlowMessage(e.Sample.Id, e.Sample.Sender, e.Sample.Source, e.Sample.SentAt, [.. e.HandledBy.Order(StringComparer.Ordinal)], e.Sample.TraceId))
            .ToList();
    }

    /// <summary>Reads the newest entries of a dead-letter list (the consumers RPUSH, so the newest are at the end), newest first.</summary>
    public static IReadOnlyList<DeadLetterView> DeadLetters(string source, IEnumerable<StackExchange.Redis.RedisValue> newestLast) =>
        newestLast.Reverse().Where(v => v.HasValue).Select(v => View(source, (byte[])v!)).OfType<DeadLetterView>().ToList();

    private static DeadLetterView? View(string source, byte[] json)
    {
        DeadLetter? letter;
        try
        {
            letter = MessageReader.ReadDeadLetter(json);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }

        if (letter is null)
        {
            return null;
        }

        var payload = letter.OriginalPayload();
        return new DeadLetterView(source, letter.Reason, letter.Consumer, letter.At, letter.Attempts, MessageReader.Read(payload).Message?.Id, MessageReader.Excerpt(payload));
    }

    private sealed class Entry(FlowSample sample, DateTimeOffset firstSeen)
    {
        public FlowSample Sample { get; } = sample;

        public DateTimeOffset FirstSeen { get; } = firstSeen;

        public HashSet<string> HandledBy { get; } = new(StringComparer.Ordinal);
    }
}
