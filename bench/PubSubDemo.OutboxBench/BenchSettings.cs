using System.Globalization;
using Microsoft.EntityFrameworkCore;

namespace PubSubDemo.OutboxBench;

/// <summary>The roles BENCH_ROLE names: three producers and three consumers.</summary>
internal static class Roles
{
    /// <summary>IMessageProducer&lt;T&gt;.SendAsync, no database.</summary>
    public const string Direct = "direct";

    /// <summary>The order saved (SaveChanges), then SendAsync: what an app without an outbox does, not atomic.</summary>
    public const string SaveThenSend = "save-then-send";

    /// <summary>The order and its outbox row in one SaveChanges; the relay in this process sends it.</summary>
    public const string Outbox = "outbox";

    /// <summary>A handler that only counts and times.</summary>
    public const string Count = "count";

    /// <summary>A handler that saves a reservation row (its own SaveChanges), without a marker.</summary>
    public const string Plain = "plain";

    /// <summary>A handler that saves the same row with its inbox marker, in one transaction (InboxExecution.RunOnceAsync).</summary>
    public const string Inbox = "inbox";

    public static readonly string[] Producers = [Direct, SaveThenSend, Outbox];

    public static readonly string[] Consumers = [Count, Plain, Inbox];
}

/// <summary>
/// The settings, each read once from the environment: BENCH_ROLE; REDIS_ADDR; BENCH_DB (an SQLite file path, or a
/// PostgreSQL connection string starting with <c>Host=</c>); BENCH_QUEUE; BENCH_COUNT (orders to produce);
/// BENCH_RATE (orders per second, 0 = as fast as it can); BENCH_WARMUP (the first orders left out of the figures) and
/// BENCH_WARMUP_SECONDS (so are the orders begun in the producer's first seconds: a producer that falls behind its
/// rate still has measured orders);
/// BENCH_MAX_SECONDS (a producer stops there even short of BENCH_COUNT); OUTBOX_SIGNAL (false: the relay finds rows
/// by its poll only, as a relay in another process would); STATS_FILE.
/// </summary>
internal sealed record BenchSettings(
    string Role, string RedisAddress, string Database, string Queue, int Count, double Rate, int Warmup, double WarmupSeconds, double MaxSeconds, bool Signal, string StatsFile)
{
    public bool IsProducer => Roles.Producers.Contains(Role);

    public bool UsesDatabase => Role is Roles.SaveThenSend or Roles.Outbox or Roles.Plain or Roles.Inbox;

    public bool IsPostgres => Database.StartsWith("Host=", StringComparison.OrdinalIgnoreCase);

    /// <summary>The settings, or one line naming the first bad variable.</summary>
    public static (BenchSettings? Settings, string? Error) From(Func<string, string?> read)
    {
        var role = read("BENCH_ROLE") ?? "";
        if (!Roles.Producers.Contains(role) && !Roles.Consumers.Contains(role))
        {
            return (null, $"BENCH_ROLE='{role}' is not a role; use one of {string.Join(", ", Roles.Producers.Concat(Roles.Consumers))}");
        }

        var queue = read("BENCH_QUEUE") ?? "";
        if (queue.Length == 0 || queue.Any(char.IsWhiteSpace))
        {
            return (null, $"BENCH_QUEUE='{queue}' is not a queue name (non-empty, no spaces)");
        }

        var stats = read("STATS_FILE") ?? "";
        if (stats.Length == 0)
        {
            return (null, "STATS_FILE is empty; give the file this process writes its figures to");
        }

        var numbers = new Dictionary<string, double>();
        foreach (var (name, fallback) in new[] { ("BENCH_COUNT", "1000"), ("BENCH_RATE", "0"), ("BENCH_WARMUP", "0"), ("BENCH_WARMUP_SECONDS", "0"), ("BENCH_MAX_SECONDS", "600") })
        {
            var text = read(name) ?? fallback;
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < 0 || !double.IsFinite(value))
            {
                return (null, $"{name}='{text}' is not a non-negative number");
            }

            numbers[name] = value;
        }

        var signal = read("OUTBOX_SIGNAL") ?? "true";
        if (!bool.TryParse(signal, out var withSignal))
        {
            return (null, $"OUTBOX_SIGNAL='{signal}' is not true or false");
        }

        return (new BenchSettings(role, read("REDIS_ADDR") ?? "localhost:6379", read("BENCH_DB") ?? "bench.db", queue, (int)numbers["BENCH_COUNT"], numbers["BENCH_RATE"],
            (int)numbers["BENCH_WARMUP"], numbers["BENCH_WARMUP_SECONDS"], numbers["BENCH_MAX_SECONDS"], withSignal, stats), null);
    }

    /// <summary>PostgreSQL for a connection string, otherwise an SQLite file; both with their default durability.</summary>
    public void Configure(DbContextOptionsBuilder options)
    {
        if (IsPostgres)
        {
            options.UseNpgsql(Database);
        }
        else
        {
            options.UseSqlite($"Data Source={Database};Default Timeout=30");
        }
    }
}
