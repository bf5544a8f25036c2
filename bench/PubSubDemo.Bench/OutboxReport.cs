using System.Globalization;
using System.Text;

namespace PubSubDemo.Bench;

/// <summary>The report's outbox and inbox section (issue 22): each run beside its baseline from the same run.</summary>
internal static class OutboxReport
{
    public static void Append(StringBuilder md, IReadOnlyList<OutboxFigures>? figures, string? databases)
    {
        if (figures is not { Count: > 0 })
        {
            return;
        }

        md.AppendLine();
        md.AppendLine("## Transactional outbox and inbox (EF Core)");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Databases: {databases}.");
        md.AppendLine("Each run is two processes of `bench/PubSubDemo.OutboxBench` (on the JIT: EF Core is not AOT clean, so the direct producer it is compared with runs on the JIT too) and one queue of one partition on this run's redis-server. "
            + "A producer produces one order at a time, awaited, as a request handler would: `direct` is `IMessageProducer<T>.SendAsync` with no database; `save-then-send` saves the order, then sends (two steps, what an app without an outbox does); `outbox` saves the order and its outbox row in one `SaveChanges`, and the relay in the same process (its defaults: batches of 100, woken at commit, a 1 s poll) sends them. "
            + "The consumer counts (`count`), saves a reservation row (`plain`), or saves it with its inbox marker in one transaction (`inbox`, `InboxExecution.RunOnceAsync`). The first tenth of a peak run's orders (a fixed-rate run's first second and at least a fifth of a second's orders, after which its schedule starts afresh) are warm-up, left out of every figure.");
        md.AppendLine();
        md.AppendLine("Throughput: N orders back to back. End to end is measured orders ÷ (last handled − first measured save or send); produced is the producer's own rate; relay lag is how long after the last save the relay had marked every row sent. The outbox producer's CPU includes its relay's (one process); the consumer's is from ready to drained ÷ what it handled.");
        md.AppendLine();
        md.AppendLine("| Run | N | end to end msg/s | ÷ direct | ÷ save-then-send | produced /s | save or send p50 / p99 ms | relay lag ms | CPU µs/msg producer / consumer | lost | load |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---|---:|---|---:|---:|");
        var direct = Find(figures, OutboxPlan.Sqlite, "direct", "count", 0);
        foreach (var run in figures.Where(f => f.Rate == 0 && f.Consumer == "count"))
        {
            // Only the outbox is set beside save-then-send: the direct producer's row would read as its inverse.
            var twoStep = run.Producer == "outbox" ? Find(figures, run.Database, "save-then-send", "count", 0) : null;
            md.AppendLine(run.Problem is not null ? Failed(run, 11) : string.Create(CultureInfo.InvariantCulture,
                $"| {run.Title} | {run.Measured:N0} | {run.EndToEndPerSecond:N0} | {Ratio(run, direct, f => f.EndToEndPerSecond)} | {Ratio(run, twoStep, f => f.EndToEndPerSecond)} | {run.ProducedPerSecond:N0} | {Ms(run.ProducerStep)} | {(run.Producer == "outbox" ? run.RelayLagMs.ToString("N0", CultureInfo.InvariantCulture) : "")} | {run.ProducerCpuMicrosPerMessage:0.#} / {run.ConsumerCpuMicrosPerMessage:0.#} | {run.Missing:N0} | {run.LoadBefore:0.0} |"));
        }

        md.AppendLine();
        md.AppendLine("Latency added: at a fixed rate each order carries the time its save or send was due (no coordinated omission: a producer that falls behind shows here, and in its pacing column), and the consumer's handler takes the difference. "
            + "Through the outbox the relay sends what committed when the commit's signal wakes it, in batches, so one save's latency holds the relay's round (read, send, mark sent) and the SQLite or PostgreSQL commit before it; without the signal a row waits for the relay's next poll (1 s).");
        md.AppendLine();
        md.AppendLine("| Run | measured | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | ÷ direct p50 / p99 | ÷ save-then-send p50 / p99 | save or send p50 / p99 ms | pacing late p99 ms | CPU µs/msg producer / consumer | load |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---|---|---|---:|---|---:|");
        foreach (var run in figures.Where(f => f.Rate > 0 && f.Consumer == "count"))
        {
            var baseline = Find(figures, OutboxPlan.Sqlite, "direct", "count", run.Rate);
            var twoStep = run.Producer == "outbox" ? Find(figures, run.Database, "save-then-send", "count", run.Rate) : null;
            md.AppendLine(run is { Problem: null, Latency: { } l } ? string.Create(CultureInfo.InvariantCulture,
                $"| {run.Title} | {l.Count:N0} | {l.P50Ms:0.00} | {l.P90Ms:0.00} | {l.P99Ms:0.00} | {l.P999Ms:0.00} | {l.MaxMs:0.00} | {LatencyRatio(run, baseline)} | {LatencyRatio(run, twoStep)} | {Ms(run.ProducerStep)} | {run.PacingLateP99Ms:0.00} | {run.ProducerCpuMicrosPerMessage:0.#} / {run.ConsumerCpuMicrosPerMessage:0.#} | {run.LoadBefore:0.0} |") : Failed(run, 12));
        }

        md.AppendLine();
        md.AppendLine("Inbox: the direct producer feeds the queue; the handler saves one reservation row, on its own (`plain`: one implicit transaction, no marker) or through the inbox (a transaction, the marker looked up, the row and the marker inserted, a commit). Handler time is the handler's body alone; send→handled is given at a fixed rate only (at peak it is the backlog's wait). CPU is the consumer process's from ready to drained (its JIT warm-up included) ÷ the deliveries it handled.");
        md.AppendLine();
        md.AppendLine("| Run | N | msg/s | ÷ plain | handler p50 / p99 ms | send→handled p50 / p99 ms | CPU µs/msg consumer | ÷ plain | applied / duplicates | lost | load |");
        md.AppendLine("|---|---:|---:|---:|---|---|---:|---:|---|---:|---:|");
        foreach (var run in figures.Where(f => f.Consumer != "count"))
        {
            var plain = Find(figures, run.Database, "direct", "plain", run.Rate);
            md.AppendLine(run.Problem is not null ? Failed(run, 11) : string.Create(CultureInfo.InvariantCulture,
                $"| {run.Title} | {run.Measured:N0} | {run.EndToEndPerSecond:N0} | {Ratio(run, plain, f => f.EndToEndPerSecond)} | {Ms(run.HandlerStep)} | {(run.Rate > 0 ? Ms(run.Latency) : "")} | {run.ConsumerCpuMicrosPerMessage:0.#} | {Ratio(run, plain, f => f.ConsumerCpuMicrosPerMessage)} | {run.Applied:N0} / {run.Duplicates:N0} | {run.Missing:N0} | {run.LoadBefore:0.0} |"));
        }
    }

    /// <summary>Not a performance bound (those would be guesses): every order produced was handled, and through the inbox applied once.</summary>
    public static void Check(List<TargetCheck> checks, IReadOnlyList<OutboxFigures>? figures)
    {
        var done = figures?.Where(f => f.Problem is null || f.Sent > 0).ToList() ?? [];
        if (done.Count == 0)
        {
            return;
        }

        var missing = done.Sum(f => f.Missing);
        var twice = done.Where(f => f.Consumer != "count").Sum(f => Math.Max(0, f.Applied - f.Sent));
        checks.Add(new("outbox and inbox runs: every order produced is handled, every database effect applied once",
            string.Create(CultureInfo.InvariantCulture, $"{done.Sum(f => f.Sent):N0} orders over {done.Count} runs: {missing:N0} never handled, {twice:N0} applied twice"),
            missing == 0 && twice == 0, ""));
    }

    private static OutboxFigures? Find(IReadOnlyList<OutboxFigures> figures, string database, string producer, string consumer, double rate) =>
        figures.FirstOrDefault(f => f.Database == database && f.Producer == producer && f.Consumer == consumer && f.Rate == rate && f.Signal && f.Problem is null);

    private static string Ratio(OutboxFigures run, OutboxFigures? baseline, Func<OutboxFigures, double> figure) =>
        baseline is null || baseline == run || figure(baseline) <= 0 ? "" : (figure(run) / figure(baseline)).ToString("0.00", CultureInfo.InvariantCulture);

    private static string LatencyRatio(OutboxFigures run, OutboxFigures? baseline) =>
        baseline is { Latency: { P50Ms: > 0, P99Ms: > 0 } b } && baseline != run && run.Latency is { } l
            ? string.Create(CultureInfo.InvariantCulture, $"{l.P50Ms / b.P50Ms:0.0} / {l.P99Ms / b.P99Ms:0.0}")
            : "";

    private static string Ms(PubSubDemo.OutboxBench.Percentiles? p) =>
        p is null ? "" : string.Create(CultureInfo.InvariantCulture, $"{p.P50Ms:0.00} / {p.P99Ms:0.00}");

    private static string Failed(OutboxFigures run, int cells) =>
        $"| {run.Title} | failed: {Report.Cell(run.Problem ?? "no latency recorded")} |" + string.Concat(Enumerable.Repeat(" |", cells - 1));
}
