namespace PubSubDemo.Bench;

/// <summary>
/// One run of the outbox section: a producer role of bench/PubSubDemo.OutboxBench feeding a consumer role through one
/// queue on the run's redis-server, with its own database (an SQLite file in the run folder, or a new PostgreSQL
/// database). <paramref name="Rate"/> 0 is a peak run of <paramref name="Count"/> orders back to back.
/// </summary>
internal sealed record OutboxRunSpec(
    string Key, string Title, string Database, string Producer, string Consumer, double Rate, int Count, int Warmup, double WarmupSeconds, double MaxSeconds, bool Signal = true);

/// <summary>The outbox section's runs, in the order they run: SQLite first, then PostgreSQL when it could be started.</summary>
internal static class OutboxPlan
{
    public const string Sqlite = "SQLite";
    public const string Postgres = "PostgreSQL";

    /// <summary>The fixed rates of the latency runs: the demo's pace and a busy service.</summary>
    public static int[] Rates(BenchOptions options) => options.Quick ? [100] : [100, 1_000];

    public static IEnumerable<OutboxRunSpec> Runs(BenchOptions options, bool postgres)
    {
        var count = options.Quick ? 300 : 2_000;
        var warmup = count / 10;
        var peakLimit = options.Quick ? 20 : 40;
        OutboxRunSpec Peak(string database, string producer, string consumer, string title) =>
            new($"{Slug(database)}-peak-{producer}-{consumer}", $"{title}, {database}", database, producer, consumer, 0, count, warmup, 0, peakLimit);

        OutboxRunSpec AtRate(string database, string producer, string consumer, int rate, string title, bool signal = true)
        {
            // Warm-up: the first second and the first fifth of a second's orders (a quick run: 0.3 s and a tenth), whichever
            // lasts longer by the producer's clock; the measured schedule starts after it. A producer that cannot keep the
            // rate stops at 1.5 times the run's length; its lateness is in the latency.
            var (seconds, warm, warmOrders) = options.Quick ? (1.5, 0.3, rate / 10) : (5.0, 1.0, rate / 5);
            return new($"{Slug(database)}-at-{rate}-{producer}-{consumer}{(signal ? "" : "-poll")}", $"{title} at {rate:N0} msg/s, {database}", database, producer, consumer,
                rate, (int)(rate * seconds), warmOrders, warm, seconds * 1.5, signal);
        }

        foreach (var database in postgres ? new[] { Sqlite, Postgres } : [Sqlite])
        {
            // The direct producer touches no database: it runs once, with SQLite, and is the baseline for both.
            if (database == Sqlite)
            {
                yield return Peak(database, "direct", "count", "direct producer (no database)");
            }

            yield return Peak(database, "save-then-send", "count", "order saved, then sent (two steps)");
            yield return Peak(database, "outbox", "count", "outbox (order + message in one transaction, relay)");
            // The quick run's PostgreSQL part is a smoke test of its peak paths only.
            foreach (var rate in database == Postgres && options.Quick ? [] : Rates(options))
            {
                if (database == Sqlite)
                {
                    yield return AtRate(database, "direct", "count", rate, "direct producer");
                }

                // Save-then-send shows what the database's commit costs at this rate without the relay beside it.
                if (rate == 100)
                {
                    yield return AtRate(database, "save-then-send", "count", rate, "order saved, then sent");
                }

                yield return AtRate(database, "outbox", "count", rate, "outbox, relay woken at commit");
            }

            if (database == Sqlite)
            {
                yield return AtRate(database, "outbox", "count", 100, "outbox, relay polling only (no wake-up: a relay in another process)", signal: false);
            }

            yield return Peak(database, "direct", "plain", "plain handler (reservation saved, no marker)");
            yield return Peak(database, "direct", "inbox", "inbox handler (reservation + marker in one transaction)");
            if (!options.Quick)
            {
                yield return AtRate(database, "direct", "plain", 100, "plain handler");
                yield return AtRate(database, "direct", "inbox", 100, "inbox handler");
            }
        }
    }

    private static string Slug(string database) => database == Sqlite ? "sqlite" : "postgres";
}
