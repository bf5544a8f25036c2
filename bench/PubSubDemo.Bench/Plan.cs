namespace PubSubDemo.Bench;

/// <summary>The end-to-end runs, in the order they run.</summary>
internal static class Plan
{
    /// <summary>The fixed rates of the latency runs (msg/s): the demo's own pace up to a busy service.</summary>
    public static readonly int[] LatencyRates = [2, 100, 1_000, 10_000];

    public static IEnumerable<RunSpec> Runs(BenchOptions options)
    {
        var peak = options.PeakDuration;
        yield return new("pubsub-1", "pub/sub, 1 subscriber", "pubsub", 1, 0, peak);
        yield return new("pubsub-3", "pub/sub, 3 subscribers", "pubsub", 3, 0, peak);
        yield return new("queue-1", "queue, 1 consumer", "queue", 1, 0, peak);
        yield return new("queue-3", "queue, 3 consumers", "queue", 3, 0, peak);
        yield return new("stream-1", "stream, 1 consumer", "stream", 1, 0, peak);
        yield return new("stream-3", "stream, 3 consumers", "stream", 3, 0, peak);
        // A quick run is a smoke test of every path; the full run covers the demo's own low rates up to 10,000 msg/s.
        foreach (var rate in options.Quick ? [1_000] : LatencyRates)
        {
            yield return new($"pubsub-at-{rate}", $"pub/sub at {rate:N0} msg/s", "pubsub", 1, rate, options.LatencyDuration);
            yield return new($"queue-at-{rate}", $"queue at {rate:N0} msg/s", "queue", 1, rate, options.LatencyDuration);
        }

        // CPU per message at a moderate rate is a target for every pattern.
        yield return new("stream-at-1000", "stream at 1,000 msg/s", "stream", 1, 1_000, options.LatencyDuration);
        yield return new("queue-pickup", $"queue idle pickup ({options.PickupRate:0} msg/s)", "queue", 1, options.PickupRate, options.PickupDuration);
    }
}

/// <summary>The same runs on the benchmark's 3-node cluster, each compared with a run of the same run (<see cref="ClusterComparison"/>).</summary>
internal static class ClusterPlan
{
    public static IEnumerable<RunSpec> Runs(BenchOptions options)
    {
        var peak = options.PeakDuration;
        yield return new("cluster-pubsub-3-classic", "pub/sub classic, 3 subscribers, on the cluster", "pubsub", 3, 0, peak, "classic");
        yield return new("cluster-pubsub-3-sharded", "pub/sub sharded, 3 subscribers, on the cluster", "pubsub", 3, 0, peak, "sharded");
        yield return new("cluster-queue-3", "queue, 3 consumers, on the cluster", "queue", 3, 0, peak);
        yield return new("cluster-stream-3", "stream, 3 consumers, on the cluster", "stream", 3, 0, peak);
    }

    /// <summary>Each cluster run and the run it is set beside: the same run on one node, or classic beside sharded.</summary>
    public static readonly IReadOnlyList<(string Run, string Beside, string Why)> ClusterComparison =
    [
        ("cluster-pubsub-3-classic", "pubsub-3", "classic PUBLISH on 3 nodes beside one node"),
        ("cluster-pubsub-3-sharded", "cluster-pubsub-3-classic", "sharded beside classic, both on the cluster"),
        ("cluster-queue-3", "queue-3", "one queue on the cluster (one slot, one primary) beside one node"),
        ("cluster-stream-3", "stream-3", "one stream on the cluster (one slot, one primary) beside one node"),
    ];
}

/// <summary>A one-line description of the machine, so a result file says where it was measured.</summary>
internal static class Machine
{
    public static string Describe(BenchOptions options)
    {
        var model = "";
        try
        {
            model = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "";
        }
        catch (IOException)
        {
        }

        var memory = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024);
        return $"{Environment.ProcessorCount} cores ({model}), {memory:0} GiB, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}, load average {Proc.LoadAverage():0.0} at start, {ServicePrograms.Kind(options)}";
    }
}
