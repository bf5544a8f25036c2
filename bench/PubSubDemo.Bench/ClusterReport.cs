using System.Globalization;
using System.Text;

namespace PubSubDemo.Bench;

/// <summary>The cluster section of bench/results/latest.md: each cluster run beside a run of the same benchmark.</summary>
internal static class ClusterReport
{
    public static void Append(StringBuilder md, BenchResults results)
    {
        md.AppendLine();
        md.AppendLine("## On a Redis Cluster, beside one node");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"The same peak runs on the benchmark's own local cluster ({results.Cluster}; no replicas), in the same run as the one-node figures above. The services are given one node and find the rest. ");
        md.AppendLine("On this machine every node shares the same cores with the services, so a cluster cannot be faster than one server: the ratio shows what the cluster's routing and bus cost, not what more machines would add. One queue or one stream is one slot on one primary, so the other two primaries idle in those runs; classic PUBLISH is copied over the bus to every node; sharded PUBLISH stays on the channel's owner.");
        md.AppendLine();
        md.AppendLine("| Run | msg/s | beside | msg/s | ratio | lost | CPU % (publisher / subscribers / all redis-servers), CPU time per message |");
        md.AppendLine("|---|---:|---|---:|---:|---:|---|");
        foreach (var (key, beside, why) in ClusterPlan.ClusterComparison)
        {
            var run = results.ClusterRuns.FirstOrDefault(r => r.Key == key);
            var other = results.ClusterRuns.Concat(results.Runs).FirstOrDefault(r => r.Key == beside);
            if (run is null || other is null)
            {
                continue;
            }

            if (run.Problem is not null || other.Problem is not null)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"| {run.Title} | failed: {Report.Cell(run.Problem ?? other.Problem!)} | {other.Title} | | | | |");
                continue;
            }

            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {run.Title} | {run.DeliveredPerSecond:N0} | {other.Title} ({why}) | {other.DeliveredPerSecond:N0} | {run.DeliveredPerSecond / Math.Max(1, other.DeliveredPerSecond):P0} | {Report.Lost(run)} | {Report.Cpu(run)} |");
        }
    }
}
