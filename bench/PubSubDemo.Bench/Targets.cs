using System.Globalization;

namespace PubSubDemo.Bench;

/// <summary>
/// The targets, each a ratio to a figure of the same run, so load from other work on the machine moves both sides:
/// throughput against pipelined redis-benchmark commands (issue 13); latency and CPU per message against reference
/// consumers fed by the same publisher (issue 21, <see cref="ReferenceTargets"/>); every outbox and inbox order
/// handled, and applied once (issue 22, <see cref="OutboxReport.Check"/>); memory, start-up, idle CPU and bursts as
/// absolute limits. A run that failed is neither reached nor missed. A missed target says by how much.
/// </summary>
internal static class Targets
{
    private const double MaxIdleCpuPercent = 0.5;
    private const long MaxRestBytes = 35L * 1024 * 1024;
    private const long MaxPeakBytes = 50L * 1024 * 1024;
    private const double MaxStartMs = 150;

    public static IReadOnlyList<TargetCheck> Check(IReadOnlyList<ServerFigure> server, IReadOnlyList<RunFigures> runs, IdleFigures? idle = null, IReadOnlyList<BurstFigures>? bursts = null,
        IReadOnlyList<ReferenceFigures>? references = null, IReadOnlyList<OutboxFigures>? outbox = null)
    {
        var checks = new List<TargetCheck>();
        Throughput(checks, server, runs);
        if (references is not null)
        {
            ReferenceTargets.Check(checks, references);
        }

        OutboxReport.Check(checks, outbox);
        IdleCpu(checks, idle);
        Memory(checks, runs, idle);
        if (bursts is not null)
        {
            foreach (var burst in bursts.Where(b => b.Sent > 0))
            {
                checks.Add(new($"{burst.Title}: every shed message counted, every disconnect said", $"lowest received {burst.LowestFraction:P0}; server closed {burst.ServerDisconnects}",
                    burst.SubscriberDisconnects >= burst.ServerDisconnects,
                    string.Create(CultureInfo.InvariantCulture, $"shed {burst.Dropped.Sum():N0}; the subscribers reported {burst.SubscriberDisconnects} output-buffer disconnects")));
            }
        }

        return checks;
    }

    private static void Throughput(List<TargetCheck> checks, IReadOnlyList<ServerFigure> server, IReadOnlyList<RunFigures> runs)
    {
        void Ratio(string runKey, string serverKey, double minimum, string target, Func<RunFigures, string> note)
        {
            if (Run(runs, runKey) is { } run && Server(server, serverKey) is { } figure)
            {
                var ratio = run.DeliveredPerSecond / figure.RequestsPerSecond;
                checks.Add(new(target, $"{run.DeliveredPerSecond:N0} msg/s = {ratio:P0} of {figure.RequestsPerSecond:N0}", ratio >= minimum, Miss(ratio >= minimum, minimum / ratio, note(run))));
            }
        }

        Ratio("pubsub-1", "publish-50conn-p16", 0.5, "pub/sub, 1 subscriber: >= 50% of pipelined PUBLISH",
            r => r.Missing > 0 ? $"{r.Missing:N0} published messages not delivered (dropped {r.Dropped:N0})" : "no loss");
        Ratio("pubsub-3", "publish-50conn-p16-3sub", 0.5, "pub/sub, 3 subscribers: each >= 50% of pipelined PUBLISH with 3 subscribers",
            r => r.Missing > 0 ? $"{r.Missing:N0} deliveries missing over 3 subscribers (dropped {r.Dropped:N0})" : "every subscriber got every message");
        Ratio("queue-3", "rpush-50conn-p16", 0.5, "queue, 3 consumers, at least once: >= 50% of pipelined RPUSH",
            r => r.Missing > 0 ? $"{r.Missing:N0} messages lost" : $"none lost, {r.Extra:N0} handled twice");
        Ratio("stream-3", "xadd-50conn-p16", 0.3, "stream, 3 consumers: >= 30% of pipelined XADD",
            r => r.Missing > 0 ? $"{r.Missing:N0} messages lost" : "none lost");
        if (Run(runs, "stream-3") is { } three && Run(runs, "stream-1") is { } one)
        {
            var reached = three.DeliveredPerSecond >= one.DeliveredPerSecond;
            checks.Add(new("stream: 3 consumers not slower than 1", $"{three.DeliveredPerSecond:N0} vs {one.DeliveredPerSecond:N0} msg/s", reached,
                Miss(reached, one.DeliveredPerSecond / Math.Max(1, three.DeliveredPerSecond), "")));
        }
    }

    private static void IdleCpu(List<TargetCheck> checks, IdleFigures? idle)
    {
        if (idle is not null)
        {
            foreach (var (role, percent) in new[] { ("subscriber (PATTERN=all)", idle.SubscriberCpuPercent), ("publisher (PATTERN=all, waiting)", idle.PublisherCpuPercent) })
            {
                checks.Add(new($"idle {role}: <= {MaxIdleCpuPercent}% of a core", string.Create(CultureInfo.InvariantCulture, $"{percent:0.00}% over {idle.Seconds:0} s"), percent <= MaxIdleCpuPercent,
                    Miss(percent <= MaxIdleCpuPercent, percent / MaxIdleCpuPercent, string.Create(CultureInfo.InvariantCulture, $"load {idle.LoadBefore:0.0}"))));
            }
        }
    }

    private static void Memory(List<TargetCheck> checks, IReadOnlyList<RunFigures> runs, IdleFigures? idle)
    {
        var subscribers = runs.Where(r => r.Problem is null).SelectMany(r => r.Processes.Where(p => p.Role.StartsWith("subscriber", StringComparison.Ordinal)).Select(p => (Run: r, Process: p))).ToList();
        if (subscribers.Count > 0)
        {
            var rest = subscribers.MaxBy(s => s.Process.RestRssBytes);
            checks.Add(new("subscriber resident memory at rest <= 35 MB", $"{Report.Megabytes(rest.Process.RestRssBytes)} MB", rest.Process.RestRssBytes <= MaxRestBytes,
                Miss(rest.Process.RestRssBytes <= MaxRestBytes, (double)rest.Process.RestRssBytes / MaxRestBytes, $"highest, in '{rest.Run.Title}'")));
            var peak = subscribers.MaxBy(s => s.Process.PeakRssBytes);
            checks.Add(new("subscriber resident memory at peak <= 50 MB", $"{Report.Megabytes(peak.Process.PeakRssBytes)} MB", peak.Process.PeakRssBytes <= MaxPeakBytes,
                Miss(peak.Process.PeakRssBytes <= MaxPeakBytes, (double)peak.Process.PeakRssBytes / MaxPeakBytes, $"highest, in '{peak.Run.Title}'")));
        }

        if (idle is { StartToSubscribedMs.Count: > 0 })
        {
            var median = idle.StartToSubscribedMedianMs;
            checks.Add(new($"subscriber process start to subscribed <= {MaxStartMs:0} ms", string.Create(CultureInfo.InvariantCulture, $"{median:0} ms (median of {string.Join(", ", idle.StartToSubscribedMs.Select(s => $"{s:0}"))})"),
                median <= MaxStartMs, Miss(median <= MaxStartMs, median / MaxStartMs, "timed to the server counting the subscription")));
        }
    }

    /// <summary>"" when reached; otherwise how far off, e.g. "missed by 2.3x".</summary>
    private static string Miss(bool reached, double factor, string note) =>
        reached ? note : string.Create(CultureInfo.InvariantCulture, $"missed by {factor:0.0}x{(note.Length > 0 ? "; " + note : "")}");

    public static ServerFigure? Server(IReadOnlyList<ServerFigure> figures, string key) => figures.FirstOrDefault(f => f.Key == key);

    public static RunFigures? Run(IReadOnlyList<RunFigures> runs, string key) => runs.FirstOrDefault(r => r.Key == key && r.Problem is null);
}
