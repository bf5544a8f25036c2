using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PubSubDemo.Shared.Configuration;
using PubSubDemo.Shared.Connection;
using PubSubDemo.Shared.Contract;
using StackExchange.Redis;

namespace PubSubDemo.Subscriber.Stats;

/// <summary>
/// Every SUMMARY_INTERVAL, one line per active source: counts, the interval's latency percentiles and the
/// backlog on the server. Registered before the consumers, so it stops after them and prints the final summary last.
/// </summary>
internal sealed partial class SummaryReporter(
    RedisConnection connection,
    MessagingSettings messaging,
    SubscriberSettings settings,
    SubscriberStats stats,
    StatsFileSettings statsFile,
    TimeProvider time,
    ILogger<SummaryReporter> logger) : BackgroundService
{
    private readonly ThroughputSampler _sampler = new(stats, time, statsFile.Warmup);
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
                await RefreshBacklogAsync();
                foreach (var source in stats.All.Where(s => s.Active))
                {
                    Report(source, source.Latency.TakeInterval(), final: false);
                }
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

    private bool Uses(MessageSource source) => source switch
    {
        MessageSource.Channel => messaging.Uses(Pattern.PubSub),
        MessageSource.Queue => messaging.Uses(Pattern.Queue),
        _ => messaging.Uses(Pattern.Stream),
    };

    private void Report(SourceStats source, LatencySummary latency, bool final)
    {
        var extra = source.Source switch
        {
            MessageSource.Channel => $"; gaps {source.Sequences.Missing}, duplicates {source.Sequences.Duplicates}, reorders {source.Sequences.Reorders}, dropped {source.Dropped}",
            _ => $"; failed {source.Failed}, dead-lettered {source.DeadLettered}, backlog {(source.Backlog < 0 ? "?" : source.Backlog.ToString())}",
        };
        if (final)
        {
            LogFinal(source.Name, source.Received, source.Handled, source.Malformed, latency.P50, latency.P99, latency.Max, extra);
        }
        else
        {
            LogSummary(source.Name, source.Received, source.Handled, source.Malformed, latency.P50, latency.P99, latency.Max, extra);
        }
    }

    /// <summary>What waits on the server: queue length, and the group's lag on the stream.</summary>
    private async Task RefreshBacklogAsync()
    {
        if (!connection.IsConnected)
        {
            return;
        }

        try
        {
            var database = (await connection.GetAsync(CancellationToken.None)).GetDatabase();
            if (messaging.Uses(Pattern.Queue))
            {
                stats.Queue.Backlog = await database.ListLengthAsync(messaging.Queue);
            }

            if (messaging.Uses(Pattern.Stream))
            {
                var groups = await database.StreamGroupInfoAsync(messaging.Stream);
                stats.Stream.Backlog = groups.FirstOrDefault(g => g.Name == messaging.Group).Lag ?? -1;
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // The consumers log outages; the summary just shows the last known backlog.
        }
    }

    [LoggerMessage(3401, LogLevel.Information, "Summary {Source}: received {Received}, handled {Handled}, malformed {Malformed}, latency p50 {P50:0.000} ms, p99 {P99:0.000} ms, max {Max:0.000} ms{Extra}")]
    private partial void LogSummary(string source, long received, long handled, long malformed, double p50, double p99, double max, string extra);

    [LoggerMessage(3402, LogLevel.Information, "Final summary {Source}: received {Received}, handled {Handled}, malformed {Malformed}, latency p50 {P50:0.000} ms, p99 {P99:0.000} ms, max {Max:0.000} ms{Extra}")]
    private partial void LogFinal(string source, long received, long handled, long malformed, double p50, double p99, double max, string extra);

    [LoggerMessage(3403, LogLevel.Information, "Final summary: no messages received")]
    private partial void LogNothing();

    [LoggerMessage(3404, LogLevel.Warning, "Could not write STATS_FILE {Path}: {Reason}")]
    private partial void LogStatsFileFailed(string path, string reason);
}
