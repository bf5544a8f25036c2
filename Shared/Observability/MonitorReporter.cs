using PubSubDemo.Messaging.Observability;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PubSubDemo.Shared.Configuration;
using PubSubDemo.Messaging.Configuration;
using PubSubDemo.Shared.Connection;
using PubSubDemo.Messaging.Connection;
using StackExchange.Redis;

namespace PubSubDemo.Shared.Observability;

/// <summary>
/// Once a second, writes this process's <see cref="MonitorReport"/> to <c>pubsubdemo:monitor:&lt;instance&gt;</c>
/// with a short expiry; deletes it on a clean stop, so the monitor shows replicas come and go without configuration.
/// </summary>
internal sealed partial class MonitorReporter(
    RedisConnection connection,
    MessagingSettings messaging,
    IMonitorReportSource source,
    HealthCheckService health,
    TimeProvider time,
    ILogger<MonitorReporter> logger) : BackgroundService
{
    private readonly RedisKey _key = MonitorKeys.For(messaging.InstanceName);
    private bool _failing;
    private HealthStatus _live = HealthStatus.Healthy;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        IDatabase database;
        try
        {
            database = (await connection.GetAsync(stoppingToken)).GetDatabase();
        }
        catch (OperationCanceledException)
        {
            return;
        }

        using var timer = new PeriodicTimer(MonitorKeys.Interval, time);
        var last = time.GetTimestamp();
        try
        {
            do
            {
                var now = time.GetTimestamp();
                await ReportAsync(database, time.GetElapsedTime(last, now), stoppingToken);
                last = now;
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task ReportAsync(IDatabase database, TimeSpan elapsed, CancellationToken cancellationToken)
    {
        try
        {
            var live = await health.CheckHealthAsync(r => r.Tags.Contains(HealthTags.Live), cancellationToken);
            var status = live.Status == HealthStatus.Healthy
                ? "ok"
                : string.Join("; ", live.Entries.Values.Where(e => e.Status != HealthStatus.Healthy).Select(e => e.Description));
            // Once per change, not once a second: the report carries the current wording.
            if (live.Status != _live)
            {
                if (live.Status == HealthStatus.Healthy)
                {
                    LogHealthy();
                }
                else
                {
                    LogNotHealthy(live.Status.ToString().ToLowerInvariant(), status);
                }

                _live = live.Status;
            }

            var report = source.Build(elapsed, status);

            await database.StringSetAsync(_key, report.ToUtf8Json(), MonitorKeys.Ttl);
            if (_failing)
            {
                _failing = false;
                LogResumed(_key.ToString());
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // The consumers log outages; this says once that the monitor will not see us until the server is back.
            if (!_failing)
            {
                _failing = true;
                LogFailed(_key.ToString(), ex.GetBaseException().Message);
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (!connection.IsConnected)
        {
            return;
        }

        try
        {
            // Gone from the page at once, rather than after the expiry.
            var database = (await connection.GetAsync(cancellationToken)).GetDatabase();
            await database.KeyDeleteAsync(_key).WaitAsync(TimeSpan.FromSeconds(2), cancellationToken);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or OperationCanceledException)
        {
        }
    }

    [LoggerMessage(4101, LogLevel.Warning, "Could not write the monitor report {Key}: {Reason}; the monitor will miss this process until the server answers")]
    private partial void LogFailed(string key, string reason);

    [LoggerMessage(4103, LogLevel.Warning, "Liveness {Health}: {Reason}")]
    private partial void LogNotHealthy(string health, string reason);

    [LoggerMessage(4104, LogLevel.Information, "Liveness: every loop is coming round again")]
    private partial void LogHealthy();

    [LoggerMessage(4102, LogLevel.Information, "Writing the monitor report {Key} again")]
    private partial void LogResumed(string key);
}
