namespace PubSubDemo.Bench;

/// <summary>The targets, each checked against this run's own figures; a run that failed is neither reached nor missed.</summary>
internal static class Targets
{
    public static IReadOnlyList<TargetCheck> Check(IReadOnlyList<ServerFigure> server, IReadOnlyList<RunFigures> runs)
    {
        var checks = new List<TargetCheck>();
        var publish = Server(server, "publish-50conn-p16");
        var publish3 = Server(server, "publish-50conn-p16-3sub");

        if (Run(runs, "pubsub-1") is { } one && publish is not null)
        {
            var ratio = one.DeliveredPerSecond / publish.RequestsPerSecond;
            checks.Add(new("pub/sub, 1 subscriber: >= 50% of pipelined PUBLISH", $"{one.DeliveredPerSecond:N0} msg/s = {ratio:P0} of {publish.RequestsPerSecond:N0}", ratio >= 0.5,
                one.Missing > 0 ? $"{one.Missing:N0} published messages not delivered (dropped {one.Dropped:N0})" : "no loss"));
        }

        if (Run(runs, "pubsub-3") is { } three && publish3 is not null)
        {
            var ratio = three.DeliveredPerSecond / publish3.RequestsPerSecond;
            checks.Add(new("pub/sub, 3 subscribers: each >= 50% of pipelined PUBLISH with 3 subscribers", $"{three.DeliveredPerSecond:N0} msg/s each = {ratio:P0} of {publish3.RequestsPerSecond:N0}", ratio >= 0.5,
                three.Missing > 0 ? $"{three.Missing:N0} deliveries missing over 3 subscribers (dropped {three.Dropped:N0})" : "every subscriber got every message"));
        }

        if (Run(runs, "queue-3") is { } queue)
        {
            checks.Add(new("queue, 3 consumers, at least once: >= 100,000 msg/s", $"{queue.DeliveredPerSecond:N0} msg/s", queue.DeliveredPerSecond >= 100_000 && queue.Missing == 0,
                queue.Missing > 0 ? $"{queue.Missing:N0} messages lost" : $"none lost, {queue.Extra:N0} handled twice"));
        }

        foreach (var key in new[] { "pubsub-at-1000", "queue-at-1000" })
        {
            if (Run(runs, key) is { Latency: { } latency } run)
            {
                checks.Add(new($"{run.Title}: p50 < 0.3 ms and p99 < 1 ms", $"p50 {latency.P50Ms:0.000} ms, p99 {latency.P99Ms:0.000} ms", latency.P50Ms < 0.3 && latency.P99Ms < 1,
                    $"{latency.Count:N0} messages after warm-up"));
            }
        }

        if (Run(runs, "queue-pickup") is { Latency: { } pickup })
        {
            checks.Add(new("idle queue pickup: p50 < 1 ms", $"p50 {pickup.P50Ms:0.000} ms, p99 {pickup.P99Ms:0.000} ms", pickup.P50Ms < 1, $"{pickup.Count:N0} single items into an empty queue"));
        }

        var subscribers = runs.Where(r => r.Problem is null).SelectMany(r => r.Processes.Where(p => p.Role.StartsWith("subscriber", StringComparison.Ordinal)).Select(p => (Run: r, p.PeakRssBytes))).ToList();
        if (subscribers.Count > 0)
        {
            var (run, peak) = subscribers.MaxBy(s => s.PeakRssBytes);
            checks.Add(new("subscriber resident memory < 80 MB at peak", $"{Report.Megabytes(peak)} MB", peak < 80L * 1024 * 1024, $"highest, in '{run.Title}'"));
        }

        return checks;
    }

    public static ServerFigure? Server(IReadOnlyList<ServerFigure> figures, string key) => figures.FirstOrDefault(f => f.Key == key);

    public static RunFigures? Run(IReadOnlyList<RunFigures> runs, string key) => runs.FirstOrDefault(r => r.Key == key && r.Problem is null);
}
