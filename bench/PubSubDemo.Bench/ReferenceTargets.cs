using System.Globalization;

namespace PubSubDemo.Bench;

/// <summary>
/// Issue 21's targets, each a ratio to a reference consumer fed by the same publisher in the same run (they replace
/// issue 13's latency and CPU-per-message targets, which compared with redis-benchmark's back-to-back round trip:
/// no client reaches that at low rates, where each message wakes an idle thread). The one-thread python3-redis
/// subscriber is this machine's floor; each row also says how far from it ours ends.
/// </summary>
internal static class ReferenceTargets
{
    private const double PubSubP50 = 1.1;
    private const double PubSubP99 = 1.5;
    private const double QueueP50 = 1.3;
    private const double QueueP99 = 2;
    private const double CpuQuiet = 1.25;
    private const double CpuLogged = 2;

    public static void Check(List<TargetCheck> checks, IReadOnlyList<ReferenceFigures> figures)
    {
        foreach (var ours in figures.Where(f => f.Consumer == Reference.Ours && !f.LogMessages && f.Problem is null))
        {
            var (against, p50Max, p99Max) = ours.Pattern == "pubsub" ? (Reference.Bare, PubSubP50, PubSubP99) : (Reference.PythonReliable, QueueP50, QueueP99);
            if (Find(figures, ours.Pattern, against, ours.Rate) is not { } floor || floor.P50Ms <= 0 || floor.P99Ms <= 0)
            {
                continue;
            }

            // A reference that fell behind the publisher (its median a hundred times the pacing's budget) is no floor.
            if (floor.P50Ms > Math.Max(100, 100_000 / ours.Rate))
            {
                checks.Add(new(
                    string.Create(CultureInfo.InvariantCulture, $"{Title(ours)}: p50 <= {p50Max}x and p99 <= {p99Max}x the {against} consumer"),
                    string.Create(CultureInfo.InvariantCulture, $"ours p50 {ours.P50Ms:0.000} ms, p99 {ours.P99Ms:0.000} ms; the reference's p50 {floor.P50Ms:0.000} ms"),
                    null, "n/a: the reference consumer could not keep up with this rate, so there is no floor to compare with"));
                continue;
            }

            var p50 = ours.P50Ms / floor.P50Ms;
            var p99 = ours.P99Ms / floor.P99Ms;
            var reached = p50 <= p50Max && p99 <= p99Max;
            var python = Find(figures, ours.Pattern, ours.Pattern == "pubsub" ? Reference.Python : Reference.PythonReliable, ours.Rate);
            var note = string.Create(CultureInfo.InvariantCulture, $"{ours.Count:N0} messages after warm-up; load {ours.LoadBefore:0.0}; pacing late p99 {ours.LateP99Ms:0.000} ms")
                + (python is { P50Ms: > 0, P99Ms: > 0 } && against != Reference.PythonReliable
                    ? string.Create(CultureInfo.InvariantCulture, $"; from the python floor: p50 {ours.P50Ms / python.P50Ms:0.00}x, p99 {ours.P99Ms / python.P99Ms:0.00}x")
                    : "");
            checks.Add(new(
                string.Create(CultureInfo.InvariantCulture, $"{Title(ours)}: p50 <= {p50Max}x and p99 <= {p99Max}x the {against} consumer"),
                string.Create(CultureInfo.InvariantCulture, $"p50 {ours.P50Ms:0.000} vs {floor.P50Ms:0.000} ms = {p50:0.00}x, p99 {ours.P99Ms:0.000} vs {floor.P99Ms:0.000} ms = {p99:0.00}x"),
                reached, Miss(reached, Math.Max(p50 / p50Max, p99 / p99Max), note)));
        }

        foreach (var rate in Reference.LoggedRates)
        {
            if (Find(figures, "pubsub", Reference.Bare, rate) is not { CpuMicrosPerMessage: > 0 } bare)
            {
                continue;
            }

            foreach (var (logged, limit) in new[] { (false, CpuQuiet), (true, CpuLogged) })
            {
                if (figures.FirstOrDefault(f => f.Pattern == "pubsub" && f.Consumer == Reference.Ours && f.Rate == rate && f.LogMessages == logged && f.Problem is null) is not { CpuMicrosPerMessage: > 0 } ours)
                {
                    continue;
                }

                var ratio = ours.CpuMicrosPerMessage / bare.CpuMicrosPerMessage;
                var python = Find(figures, "pubsub", Reference.Python, rate);
                checks.Add(new(
                    string.Create(CultureInfo.InvariantCulture, $"pub/sub subscriber CPU per message at {rate:N0} msg/s, LOG_MESSAGES {(logged ? "on" : "off")}: <= {limit}x the bare StackExchange.Redis subscriber"),
                    string.Create(CultureInfo.InvariantCulture, $"{ours.CpuMicrosPerMessage:0.#} vs {bare.CpuMicrosPerMessage:0.#} µs = {ratio:0.00}x"),
                    ratio <= limit,
                    Miss(ratio <= limit, ratio / limit, python is { CpuMicrosPerMessage: > 0 } ? string.Create(CultureInfo.InvariantCulture, $"python floor {python.CpuMicrosPerMessage:0.#} µs ({ours.CpuMicrosPerMessage / python.CpuMicrosPerMessage:0.00}x)") : "")));
            }
        }
    }

    public static string Title(ReferenceFigures figures) => figures.Pattern switch
    {
        "pubsub" => string.Create(CultureInfo.InvariantCulture, $"pub/sub at {figures.Rate:N0} msg/s"),
        "queue" => string.Create(CultureInfo.InvariantCulture, $"queue at {figures.Rate:N0} msg/s"),
        _ => string.Create(CultureInfo.InvariantCulture, $"queue idle pickup ({figures.Rate:N0} msg/s)"),
    };

    public static ReferenceFigures? Find(IReadOnlyList<ReferenceFigures> figures, string pattern, string consumer, double rate) =>
        figures.FirstOrDefault(f => f.Pattern == pattern && f.Consumer == consumer && f.Rate == rate && !f.LogMessages && f.Problem is null);

    private static string Miss(bool reached, double factor, string note) =>
        reached ? note : string.Create(CultureInfo.InvariantCulture, $"missed by {factor:0.00}x; {note}");
}
