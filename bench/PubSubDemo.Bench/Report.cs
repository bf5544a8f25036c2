using System.Globalization;
using System.Text;

namespace PubSubDemo.Bench;

/// <summary>bench/results/latest.md: the figures as tables, each throughput beside redis-benchmark's figure for the same command.</summary>
internal static class Report
{
    public static string Markdown(BenchResults results)
    {
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"# PubSubDemo benchmark ({results.Mode})");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Measured {results.StartedAt:yyyy-MM-dd HH:mm} UTC in {results.Minutes:0.0} minutes on {results.Machine}; server {results.Server}, started by the benchmark on a free loopback port. ");
        md.AppendLine(CultureInfo.InvariantCulture, $"Every message is a real publisher message of {results.PayloadBytes} bytes; redis-benchmark sends a payload of the same bytes. Regenerate with `./bench/run.sh` (or `--quick`).");
        md.AppendLine();

        md.AppendLine("## Targets");
        md.AppendLine();
        md.AppendLine("| Target | Measured | | Note |");
        md.AppendLine("|---|---|---|---|");
        foreach (var target in results.Targets)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| {target.Target} | {target.Measured} | {(target.Reached switch { true => "reached", false => "**missed**", null => "n/a" })} | {target.Note} |");
        }

        md.AppendLine();
        md.AppendLine("## Throughput, end to end, beside the server's own limit");
        md.AppendLine();
        md.AppendLine("Peak runs: the publisher sends as fast as it can (PUBLISH_RATE=0) for the run's time; the rate is what the subscribers handled per second after warm-up, read off their own counters.");
        md.AppendLine("Pub/sub counts what each subscriber received (each gets every message); queue and stream count what the consumers handled together, at least once.");
        md.AppendLine();
        md.AppendLine("| Run | msg/s | redis-benchmark, same command | req/s | ratio | published/s | lost | CPU % (publisher / subscribers / redis-server), CPU time per message |");
        md.AppendLine("|---|---:|---|---:|---:|---:|---:|---|");
        foreach (var (key, compare) in new[]
        {
            ("pubsub-1", "publish-50conn-p16"), ("pubsub-1", "publish-50conn-p16-1sub"), ("pubsub-3", "publish-50conn-p16-3sub"),
            ("queue-1", "rpush-50conn-p16"), ("queue-3", "rpush-50conn-p16"), ("stream-1", "xadd-50conn-p16"), ("stream-3", "xadd-50conn-p16"),
        })
        {
            var run = results.Runs.FirstOrDefault(r => r.Key == key);
            var server = Targets.Server(results.ServerFigures, compare);
            if (run is null || server is null)
            {
                continue;
            }

            if (run.Problem is not null)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"| {run.Title} | failed: {Cell(run.Problem)} | {Describe(server)} | {server.RequestsPerSecond:N0} | | | | |");
                continue;
            }

            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {run.Title} | {run.DeliveredPerSecond:N0} | {Describe(server)} | {server.RequestsPerSecond:N0} | {run.DeliveredPerSecond / server.RequestsPerSecond:P0} | {run.PublishedPerSecond:N0} | {Lost(run)} | {Cpu(run)} |");
        }

        md.AppendLine();
        md.AppendLine("## redis-benchmark on this machine");
        md.AppendLine();
        md.AppendLine("| Command | connections | pipeline | subscribers attached | req/s | p50 ms | redis-server CPU % |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var figure in results.ServerFigures)
        {
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {figure.Command} | {figure.Clients} | {figure.Pipeline} | {figure.Subscribers}{(figure.SubscribersAfter < figure.Subscribers ? $" ({figure.SubscribersAfter} left after: the rest were disconnected)" : "")} | {figure.RequestsPerSecond:N0} | {figure.P50Ms:0.000} | {figure.CpuRedisPercent:0} |");
        }

        md.AppendLine();
        ReferenceReport.Append(md, results.References);
        md.AppendLine("## Latency, end to end, our publisher and subscriber");
        md.AppendLine();
        md.AppendLine("Publisher timestamp to subscriber handler, one subscriber. At a fixed rate every message carries its scheduled send time, so a publisher that falls behind shows up here (no coordinated omission). The first seconds (JIT, connection warm-up) are left out; see the plot for the whole distribution.");
        md.AppendLine();
        md.AppendLine("| Run | messages | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | CPU % (publisher / subscriber / redis-server), CPU time per message |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---|");
        foreach (var run in results.Runs.Where(r => r.Rate > 0))
        {
            md.AppendLine(run is { Latency: { } l, Problem: null }
                ? string.Create(CultureInfo.InvariantCulture, $"| {run.Title} | {l.Count:N0} | {l.P50Ms:0.000} | {l.P90Ms:0.000} | {l.P99Ms:0.000} | {l.P999Ms:0.000} | {l.MaxMs:0.000} | {Cpu(run)} |")
                : $"| {run.Title} | failed: {Cell(run.Problem ?? "no latency recorded")} | | | | | | |");
        }

        if (Targets.Server(results.ServerFigures, "publish-1conn") is { } roundTrip)
        {
            md.AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"For scale: one PUBLISH round trip over one connection (redis-benchmark, back to back) takes {roundTrip.P50Ms:0.000} ms at p50; no client reaches that at low rates, where each message wakes an idle thread, which is why the targets compare with the reference consumers above.");
        }

        md.AppendLine();
        md.AppendLine("![Latency distribution](latency.png)");
        md.AppendLine();
        md.AppendLine("## Resident memory (VmRSS)");
        md.AppendLine();
        md.AppendLine("At rest: subscribers connected and idle, before the publisher starts (the publisher: its highest value while sending 20 msg/s). At peak: the highest value sampled every 100 ms during the run. Managed heap: the most the subscriber's GC heap held (objects and uncollected garbage), sampled every 5 ms. Allocation per message includes start-up.");
        md.AppendLine();
        md.AppendLine("| Run | subscriber at rest MB | subscriber peak MB | of which managed heap MB | subscriber bytes allocated per message | publisher peak MB | publisher bytes allocated per message |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var run in results.Runs.Where(r => r.Problem is null))
        {
            var subscribers = run.Processes.Where(p => p.Role.StartsWith("subscriber", StringComparison.Ordinal)).ToList();
            var publisher = run.Processes.FirstOrDefault(p => p.Role == "publisher");
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {run.Title} | {Megabytes(subscribers.Max(p => p.RestRssBytes))} | {Megabytes(subscribers.Max(p => p.PeakRssBytes))} | {Megabytes(subscribers.Max(p => p.PeakManagedHeapBytes))} | {subscribers.Max(p => p.AllocatedBytesPerMessage):N0} | {Megabytes(publisher?.PeakRssBytes ?? 0)} | {publisher?.AllocatedBytesPerMessage ?? 0:N0} |");
        }

        Extras(md, results);
        md.AppendLine();
        md.AppendLine("Load average before each run, as a noise check (the machine has " + Environment.ProcessorCount + " cores): " +
            string.Join(", ", results.Runs.Concat(results.ClusterRuns).Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Key} {r.LoadBefore:0.0}"))) + ".");
        ClusterReport.Append(md, results);
        OutboxReport.Append(md, results.Outbox, results.OutboxDatabases);
        return md.ToString();
    }

    /// <summary>The idle services, the start-up time and the bursts into our subscribers.</summary>
    private static void Extras(StringBuilder md, BenchResults results)
    {
        if (results.Idle is { } idle)
        {
            md.AppendLine();
            md.AppendLine("## Idle and start-up");
            md.AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"Over {idle.Seconds:0} s with nothing to do (a subscriber on every source, a publisher that waits an hour for its next message): subscriber {idle.SubscriberCpuPercent:0.00}% of a core, publisher {idle.PublisherCpuPercent:0.00}%; the idle subscriber holds {Megabytes(idle.SubscriberRssBytes)} MB. ");
            md.AppendLine(CultureInfo.InvariantCulture, $"Process start to subscribed (the server counts the subscription): {string.Join(", ", idle.StartToSubscribedMs.Select(s => $"{s:0} ms"))}. Load average {idle.LoadBefore:0.0}.");
        }

        if (results.Bursts is { Count: > 0 } bursts)
        {
            md.AppendLine();
            md.AppendLine("## Bursts into our subscribers");
            md.AppendLine();
            md.AppendLine("redis-benchmark sends pipelined PUBLISH (50 connections, pipeline 16) of a real message as fast as the server takes it; our subscribers read, shed what their buffer (CHANNEL_BUFFER) cannot hold, and count it. The server closes a subscriber whose output buffer passes `client-output-buffer-limit pubsub`; its log says so, and so should the subscriber. Beside it, our own publisher's peak runs.");
            md.AppendLine();
            md.AppendLine("| Burst | sent | PUBLISH/s | received by each | shed by each | closed by the server | said by the subscribers |");
            md.AppendLine("|---|---:|---:|---|---|---:|---:|");
            foreach (var burst in bursts)
            {
                md.AppendLine(CultureInfo.InvariantCulture,
                    $"| {Cell(burst.Title)} | {burst.Sent:N0} | {burst.SentPerSecond:N0} | {string.Join(", ", burst.Received.Select(r => ((double)r / Math.Max(1, burst.Sent)).ToString("P0", CultureInfo.InvariantCulture)))} | {string.Join(", ", burst.Dropped.Select(d => d.ToString("N0", CultureInfo.InvariantCulture)))} | {burst.ServerDisconnects} | {burst.SubscriberDisconnects} |");
            }

            foreach (var run in results.Runs.Where(r => r.Problem is null && r.Pattern == "pubsub" && r.Rate == 0))
            {
                md.AppendLine(CultureInfo.InvariantCulture,
                    $"| our publisher, {run.Title} ({run.Seconds:0} s at full speed) | {run.Published:N0} | {run.PublishedPerSecond:N0} | {(double)run.Handled / Math.Max(1, run.Published * run.Subscribers):P0} on average | {run.Dropped:N0} in all | | |");
            }
        }
    }

    public static string Megabytes(long bytes) => (bytes / (1024.0 * 1024)).ToString("0", CultureInfo.InvariantCulture);

    private static string Describe(ServerFigure figure) =>
        $"{figure.Command}, {figure.Clients} conns, pipeline {figure.Pipeline}{(figure.Subscribers > 0 ? $", {figure.Subscribers} subscriber{(figure.Subscribers > 1 ? "s" : "")}" : ", no subscriber")}";

    internal static string Lost(RunFigures run) =>
        run.Missing == 0 ? "0" : string.Create(CultureInfo.InvariantCulture, $"{run.Missing:N0} ({(double)run.Missing / Math.Max(1, run.Published * (run.Pattern == "pubsub" ? run.Subscribers : 1)):P1})");

    internal static string Cpu(RunFigures run)
    {
        var publisher = run.Processes.FirstOrDefault(p => p.Role == "publisher")?.CpuPercent ?? 0;
        var subscribers = string.Join("+", run.Processes.Where(p => p.Role != "publisher").Select(p => p.CpuPercent.ToString("0", CultureInfo.InvariantCulture)));
        var perMessage = run.Processes.FirstOrDefault(p => p.Role == "publisher")?.CpuMicrosPerMessage ?? 0;
        var subscriberPerMessage = run.Processes.Where(p => p.Role != "publisher").Select(p => p.CpuMicrosPerMessage).DefaultIfEmpty(0).Average();
        return string.Create(CultureInfo.InvariantCulture, $"{publisher:0} / {subscribers} / {run.RedisCpuPercent:0} ({perMessage:0.#} / {subscriberPerMessage:0.#} µs per message)");
    }

    internal static string Cell(string text) => text.Split('\n')[0].Replace("|", "/", StringComparison.Ordinal);
}
