using PubSubDemo.Messaging;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PubSubDemo.Shared.Configuration;
using PubSubDemo.Messaging.Configuration;
using PubSubDemo.Shared.Contract;
using PubSubDemo.Messaging.Contract;
using PubSubDemo.Messaging.Processing;
using PubSubDemo.Messaging.Telemetry;
using PubSubDemo.Subscriber.Figures;

namespace PubSubDemo.Subscriber.Reporting;

/// <summary>
/// Every SUMMARY_INTERVAL, one line per active source: counts, the interval's latency percentiles and the
/// backlog on the server (as the engine's <see cref="BacklogPoller"/> last read it), all from the figures that observe
/// the engine (<see cref="SubscriberFigures"/>). Registered before the consumers, so it
/// stops after them, prints the final summary last and writes the STATS_FILE.
/// </summary>
internal sealed partial class SummaryReporter(
    MessagingSettings messaging,
    SubscriberSettings settings,
    SubscriberFigures stats,
    StatsFileSettings statsFile,
    TimeProvider time,
    ILogger<SummaryReporter> logger) : BackgroundService
{
    private readonly ThroughputSampler _sampler = new(stats, time, statsFile.Warmup, statsFile.Timeline);
    private Task _sampling = Task.CompletedTask;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (statsFile.Path is not null)
        {
            _sampling = _sampler.RunAsync(stoppingToken);
        }

        using var timer = new PeriodicTimer(settings.SummaryInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                foreach (var source in stats.All.Where(s => s.Active))
                {
                    Report(source, source.Latency.TakeInterval(), final: false);
                }

                ReportChannels(final: false);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        var any = false;
        foreach (var source in stats.All.Where(s => s.Active || Uses(s.Source)))
        {
            Report(source, source.Latency.Total(), final: true);
            any = true;
        }

        ReportChannels(final: true);
        if (!any)
        {
            LogNothing();
        }

        if (statsFile.Path is { } path)
        {
            await WriteStatsFileAsync(path);
        }
    }

    private async Task WriteStatsFileAsync(string path)
    {
        await _sampling;
        _sampler.Sample();
        try
        {
            await StatsFiles.WriteAsync(path, SubscriberStatsFiles.From(stats, _sampler, messaging, time.GetUtcNow(), Uses));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogStatsFileFailed(path, ex.Message);
        }
    }

    private bool Uses(MessageSource source) => SubscriberTelemetry.Uses(messaging, source);

    private void Report(SourceFigures source, LatencySummary latency, bool final)
    {
        var extra = source.Source switch
        {
            MessageSource.Channel => $"; gaps {source.Sequences.Missing}, duplicates {source.Sequences.Duplicates}, reorders {source.Sequences.Reorders}, dropped {source.Dropped}{(source.Delayed > 0 ? $", delayed {source.Delayed}" : "")}"
                + (source.SlowDisconnects > 0 ? $", disconnected by the server for a full output buffer {source.SlowDisconnects}" : ""),
            _ => $"; failed {source.Failed}, dead-lettered {source.DeadLettered}, backlog {(source.Backlog < 0 ? "?" : source.Backlog.ToString())}{(source.Lost > 0 ? $", lost {source.Lost}" : "")}{DueSummary.Of(source)}",
        };
        if (source.Duplicate > 0)
        {
            extra += $", duplicate {source.Duplicate} (DEDUPE)";
        }

        if (source.Filtered > 0)
        {
            extra += $", filtered {source.Filtered}";
        }

        if (final)
        {
            LogFinal(source.Name, source.Received, source.Handled, source.Malformed, latency.P50, latency.P99, latency.Max, extra);
        }
        else
        {
            LogSummary(source.Name, source.Received, source.Handled, source.Malformed, extra, IntervalText(latency));
        }
    }

    /// <summary>
    /// The interval part of a summary line: what was handled since the last line and its latency, or that nothing
    /// was, never a latency of zero for an interval without messages (the counts before it are totals since start).
    /// </summary>
    internal string IntervalText(LatencySummary latency) => IntervalText(latency, settings.SummaryInterval);

    internal static string IntervalText(LatencySummary latency, TimeSpan interval)
    {
        var span = DurationParser.Format(interval);
        return latency.Count == 0
            ? $"last {span}: nothing handled"
            : FormattableString.Invariant($"last {span}: handled {latency.Count}, latency p50 {latency.P50:0.000} ms, p99 {latency.P99:0.000} ms, max {latency.Max:0.000} ms");
    }

    [LoggerMessage(3401, LogLevel.Information, "Summary {Source}: received {Received}, handled {Handled}, malformed {Malformed} since start{Extra}; {Interval}")]
    private partial void LogSummary(string source, long received, long handled, long malformed, string extra, string interval);

    [LoggerMessage(3402, LogLevel.Information, "Final summary {Source}: received {Received}, handled {Handled}, malformed {Malformed}, latency p50 {P50:0.000} ms, p99 {P99:0.000} ms, max {Max:0.000} ms{Extra}")]
    private partial void LogFinal(string source, long received, long handled, long malformed, double p50, double p99, double max, string extra);

    /// <summary>With several CHANNEL entries or a glob, one more line per channel seen: what came on it and what became of it.</summary>
    private void ReportChannels(bool final)
    {
        if (!ChannelList.IsList(messaging.Channel) && !messaging.ChannelIsPattern)
        {
            return;
        }

        foreach (var channel in stats.Channels.All)
        {
            LogChannel(final ? "Final summary" : "Summary", channel.Name, channel.Received, channel.Handled, channel.Filtered, channel.Malformed, channel.Failed, channel.Dropped);
        }
    }

    [LoggerMessage(3405, LogLevel.Information, "{Kind} channel '{Channel}': received {Received}, handled {Handled}, filtered {Filtered}, malformed {Malformed}, failed {Failed}, dropped {Dropped}")]
    private partial void LogChannel(string kind, string channel, long received, long handled, long filtered, long malformed, long failed, long dropped);

    [LoggerMessage(3403, LogLevel.Information, "Final summary: no messages received")]
    private partial void LogNothing();

    [LoggerMessage(3404, LogLevel.Warning, "Could not write STATS_FILE {Path}: {Reason}")]
    private partial void LogStatsFileFailed(string path, string reason);
}
