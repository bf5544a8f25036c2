using PubSubDemo.Shared.Contract;
using PubSubDemo.Messaging.Contract;
using System.Globalization;
using ScottPlot;

namespace PubSubDemo.Bench;

/// <summary>
/// bench/results/latency.png: the classic HDR percentile plot, one line per fixed-rate run. Both axes are logarithmic:
/// the x axis spreads the tail (90%, 99%, 99.9% equally apart), the y axis shows 0.05 ms and 50 ms on one picture.
/// </summary>
internal static class LatencyPlot
{
    private static readonly double[] Percentiles = [0, 50, 90, 99, 99.9, 99.99, 99.999];
    private static readonly double[] Milliseconds = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000];

    public static void Draw(BenchResults results, string path)
    {
        var plot = new Plot();
        var runs = results.Runs.Where(r => r.Rate > 0 && r.Distribution.Count > 1).ToList();
        var highest = 0.0;
        var lowest = double.MaxValue;
        var widest = 0.0;
        foreach (var run in runs)
        {
            var points = run.Distribution.Where(p => p.Percentile < 100).Append(run.Distribution[^1] with { Percentile = Math.Min(99.9999, Percentile999Of(run.Distribution)) }).ToList();
            var xs = points.Select(p => X(p.Percentile)).ToArray();
            var ys = points.Select(p => Y(p.Ms)).ToArray();
            var line = plot.Add.Scatter(xs, ys);
            line.LegendText = string.Create(CultureInfo.InvariantCulture, $"{run.Title}: p50 {run.Latency?.P50Ms:0.000}, p99 {run.Latency?.P99Ms:0.000}, max {run.Latency?.MaxMs:0.0} ms");
            line.MarkerSize = 0;
            line.LineWidth = 2;
            line.ConnectStyle = ConnectStyle.StepVertical;
            highest = Math.Max(highest, ys.Max());
            lowest = Math.Min(lowest, ys.Min());
            widest = Math.Max(widest, xs.Max());
        }

        foreach (var (ms, text) in new[] { (0.3, "0.3 ms: p50 target at 1,000 msg/s"), (1.0, "1 ms: p99 target at 1,000 msg/s, p50 target for idle pickup") })
        {
            var target = plot.Add.HorizontalLine(Y(ms));
            target.LinePattern = LinePattern.Dashed;
            target.Color = Colors.Gray;
            target.LineWidth = 1;
            target.LegendText = text;
        }

        var xTicks = Percentiles.Where(p => X(p) <= Math.Max(widest, X(99.9)) + 0.01).ToArray();
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            [.. xTicks.Select(X)], [.. xTicks.Select(p => p.ToString("0.###", CultureInfo.InvariantCulture) + "%")]);
        var yLow = Math.Min(lowest, Y(0.1)) - 0.1;
        var yHigh = Math.Max(highest, Y(1)) + 0.15;
        var yTicks = Milliseconds.Where(ms => Y(ms) >= yLow && Y(ms) <= yHigh).ToArray();
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            [.. yTicks.Select(Y)], [.. yTicks.Select(ms => ms.ToString("0.###", CultureInfo.InvariantCulture))]);
        plot.Axes.SetLimits(0, Math.Max(widest, X(99.9)) * 1.02, yLow, yHigh);
        plot.Title(string.Create(CultureInfo.InvariantCulture, $"End-to-end latency by percentile ({results.PayloadBytes}-byte messages, {results.Mode} run)"));
        plot.XLabel("percentile (log scale of 1 / (1 - p))");
        plot.YLabel("latency, ms (log scale)");
        plot.ShowLegend(Alignment.LowerRight);
        plot.SavePng(path, 1100, 650);
    }

    /// <summary>The iteration ends at 100%, which has no place on this axis: the last step is drawn at the highest finite level reached.</summary>
    private static double Percentile999Of(IReadOnlyList<PercentilePoint> distribution) =>
        distribution.Where(p => p.Percentile < 100).Select(p => p.Percentile).DefaultIfEmpty(99.9).Max() is var last && last < 99.9 ? 99.9 : Math.Min(99.9999, last + (100 - last) * 0.9);

    private static double X(double percentile) => Math.Log10(100 / (100 - Math.Min(percentile, 99.9999)));

    private static double Y(double ms) => Math.Log10(Math.Max(ms, 0.005));
}
