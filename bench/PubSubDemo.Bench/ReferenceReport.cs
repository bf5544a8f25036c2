using System.Globalization;
using System.Text;

namespace PubSubDemo.Bench;

/// <summary>The report's section on the reference consumers: each rate, ours beside the library's floor and the machine's.</summary>
internal static class ReferenceReport
{
    public static void Append(StringBuilder md, IReadOnlyList<ReferenceFigures>? figures)
    {
        if (figures is not { Count: > 0 })
        {
            return;
        }

        md.AppendLine("## Latency and CPU beside the reference consumers");
        md.AppendLine();
        md.AppendLine("One reference publisher (`bench/reference/publisher.py`, one thread, paced on an absolute schedule) feeds one consumer at a time at each rate; "
            + "each message is stamped just before it is written, so the figures are the consumer's, and how late the pacing thread ran is its own column. "
            + "Pub/sub: ours (`LOG_MESSAGES=false` unless marked), a bare StackExchange.Redis subscriber (`bench/PubSubDemo.BareSubscriber`, ChannelMessageQueue only, Native AOT like ours where it could be published, the same runtime settings) "
            + "and a one-thread python3-redis subscriber, this machine's floor. Queue: ours (doorbell, batch take, settlement) and a bare reliable consumer in python3-redis (BLMOVE into a processing list, LREM). "
            + "CPU per message is the consumer's CPU time over the run (warm-up included) divided by what it handled.");
        md.AppendLine();
        md.AppendLine("| Run | consumer | handled | p50 ms | p99 ms | p99.9 ms | max ms | CPU µs/msg | ours ÷ this (p50 / p99 / CPU) | pacing late p50 / p99 ms | load |");
        md.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---|---|---:|");
        foreach (var row in figures)
        {
            var consumer = row.Consumer + (row.LogMessages ? " (LOG_MESSAGES on)" : "");
            if (row.Problem is not null)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"| {ReferenceTargets.Title(row)} | {consumer} | failed: {row.Problem.ReplaceLineEndings(" ").Replace("|", "\\|", StringComparison.Ordinal)} | | | | | | | | |");
                continue;
            }

            var ours = ReferenceTargets.Find(figures, row.Pattern, Reference.Ours, row.Rate);
            var ratio = row.Consumer != Reference.Ours && ours is not null && row.P50Ms > 0 && row.P99Ms > 0 && row.CpuMicrosPerMessage > 0
                ? string.Create(CultureInfo.InvariantCulture, $"{ours.P50Ms / row.P50Ms:0.00} / {ours.P99Ms / row.P99Ms:0.00} / {ours.CpuMicrosPerMessage / row.CpuMicrosPerMessage:0.00}")
                : "";
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {ReferenceTargets.Title(row)} | {consumer} | {row.Handled:N0} of {row.Sent:N0} | {row.P50Ms:0.000} | {row.P99Ms:0.000} | {row.P999Ms:0.000} | {row.MaxMs:0.000} | {row.CpuMicrosPerMessage:0.#} | {ratio} | {row.LateP50Ms:0.000} / {row.LateP99Ms:0.000} | {row.LoadBefore:0.0} |");
        }

        md.AppendLine();
    }
}
