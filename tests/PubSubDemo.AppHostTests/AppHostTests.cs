using System.Diagnostics;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using PubSubDemo.Shared.Observability;
using PubSubDemo.Messaging.Observability;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace PubSubDemo.AppHostTests;

/// <summary>
/// The AppHost as `dotnet run --project AppHost` runs it, with a redis-server it starts itself: every resource comes
/// up, the publisher's messages reach all three subscribers, the dashboard has each one's logs and metrics, and
/// nothing is left running afterwards.
/// </summary>
public sealed class AppHostTests(ITestOutputHelper output)
{
    private const string Publisher = "pubsubdemo-publisher";
    private const string Subscriber = "pubsubdemo-subscriber";
    private const string Monitor = "pubsubdemo-monitor";
    private const string Server = "server";

    private static readonly TimeSpan Startup = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Every_resource_runs_and_the_publishers_messages_reach_all_three_subscribers()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var channel = TestNames.Unique("aspire-channel");
        var queue = TestNames.Unique("aspire-queue");
        var appHost = await DistributedApplicationTestingBuilder.CreateAsync<Projects.PubSubDemo_AppHost>(
            [
                // Empty REDIS_ADDR/REDIS_HOST: the AppHost must start its own server even where the shell names one.
                "REDIS_ADDR=", "REDIS_HOST=", "APPHOST_SERVER=redis-server",
                "PATTERN=both", $"CHANNEL={channel}", $"QUEUE={queue}", "PUBLISH_INTERVAL=100ms", "LOG_MESSAGES=false",

                // The dashboard (on ports the testing builder picks), so the test can ask it what each replica sent.
                "ASPIRE_ALLOW_UNSECURED_TRANSPORT=true", "ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS=true",
            ],
            (options, _) => options.DisableDashboard = false,
            deadline.Token);

        // The resources' console lines are forwarded to the test's log; warnings are enough there, since a failure's
        // message says what was waited for. Set here, this beats the AppHost's appsettings.json.
        appHost.Configuration["Logging:LogLevel:Default"] = "Warning";
        var clock = Stopwatch.StartNew();

        var app = await appHost.BuildAsync(deadline.Token);
        int serverPort;
        try
        {
            await app.StartAsync(deadline.Token);
            await WaitUntilEverythingRunsAsync(app, deadline.Token);
            output.WriteLine($"every resource running after {clock.Elapsed.TotalSeconds:0.0}s");
            serverPort = app.GetEndpoint(Server, "tcp").Port;

            await using var redis = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{serverPort}");
            var reports = Array.Empty<MonitorReport>();
            await Wait.UntilAsync(async () =>
            {
                reports = await ReportsAsync(redis);
                var subscribers = reports.Where(r => r.Role == MonitorReport.SubscriberRole).ToList();
                return subscribers.Count == 3
                    && subscribers.All(s => Handled(s, "channel") >= 5)
                    && subscribers.Sum(s => Handled(s, "queue")) >= 5
                    && reports.Any(r => r.Role == MonitorReport.PublisherRole && r.Count >= 5);
            }, "the publisher's channel messages reach all three subscribers and its queue messages are handled", TimeSpan.FromSeconds(45));

            output.WriteLine($"messages at all three subscribers after {clock.Elapsed.TotalSeconds:0.0}s");
            foreach (var report in reports.OrderBy(r => r.Role))
            {
                output.WriteLine($"{report.Role} {report.Instance}: count {report.Count}, " +
                    string.Join(", ", report.Sources.Select(s => $"{s.Name} handled {s.Handled}")));
            }

            // The monitor, on the port the AppHost gave it, sees the same four processes.
            using var http = app.CreateHttpClient(Monitor);
            await Wait.UntilAsync(async () =>
            {
                using var response = await http.GetAsync("/api/snapshot", deadline.Token);
                var body = await response.Content.ReadAsStringAsync(deadline.Token);
                return response.IsSuccessStatusCode && reports.All(r => body.Contains($"\"instance\":\"{r.Instance}\"", StringComparison.Ordinal));
            }, "the monitor's snapshot lists the publisher and the three subscribers", TimeSpan.FromSeconds(20));

            // Logs and metrics went over OTLP to the dashboard, filed under each replica as its INSTANCE_NAME.
            using var dashboardClient = new HttpClient { BaseAddress = app.GetEndpoint("aspire-dashboard", "http") };
            var telemetry = new List<TelemetrySource>();
            await Wait.UntilAsync(async () =>
            {
                telemetry = await TelemetrySourcesAsync(dashboardClient, deadline.Token);
                return reports.All(r => telemetry.Any(t => t.Instance == r.Instance && t.HasLogs && t.HasMetrics));
            }, "the dashboard has logs and metrics from the publisher and each subscriber, under their instance names", TimeSpan.FromSeconds(30));
            output.WriteLine($"dashboard: {string.Join(", ", telemetry)}");
        }
        finally
        {
            await app.StopAsync(CancellationToken.None);
            await app.DisposeAsync();
            await appHost.DisposeAsync();
            output.WriteLine($"stopped after {clock.Elapsed.TotalSeconds:0.0}s");
        }

        // Stopping the AppHost stops what it started: no service that was given this test's channel outlives it.
        await Wait.UntilAsync(() => LeftRunning(channel).Count == 0,
            $"no process started with CHANNEL={channel} is left ({string.Join(", ", LeftRunning(channel))})", TimeSpan.FromSeconds(30));
    }

    private async Task WaitUntilEverythingRunsAsync(DistributedApplication app, CancellationToken cancellationToken)
    {
        using var startup = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        startup.CancelAfter(Startup);
        var states = new Dictionary<string, (string Name, string? State)>();
        try
        {
            await foreach (var update in app.ResourceNotifications.WatchAsync(startup.Token))
            {
                var state = update.Snapshot.State?.Text;
                states[update.ResourceId] = (update.Resource.Name, state);
                if (state == KnownResourceStates.FailedToStart || state == KnownResourceStates.Exited)
                {
                    throw new InvalidOperationException($"{update.ResourceId} stopped while starting: {state}");
                }

                var running = states.Values.Where(s => s.State == KnownResourceStates.Running).Select(s => s.Name).ToList();
                if (running.Count(name => name == Subscriber) == 3 && new[] { Server, Publisher, Monitor }.All(running.Contains))
                {
                    output.WriteLine($"running: {string.Join(", ", states.Keys.Order())}");
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"Timed out after {Startup.TotalSeconds:0}s waiting until every resource runs: " +
                string.Join(", ", states.Select(s => $"{s.Key}={s.Value.State}")));
        }

        // A resource with a health check (the server's PING, the monitor's /health/ready) also has to pass it.
        await app.ResourceNotifications.WaitForResourceHealthyAsync(Server, cancellationToken);
        await app.ResourceNotifications.WaitForResourceHealthyAsync(Monitor, cancellationToken);
    }

    private static async Task<MonitorReport[]> ReportsAsync(ConnectionMultiplexer redis)
    {
        var server = redis.GetServers()[0];
        var database = redis.GetDatabase();
        var reports = new List<MonitorReport>();
        await foreach (var key in server.KeysAsync(pattern: MonitorKeys.Match))
        {
            if (await database.StringGetAsync(key) is { HasValue: true } value && MonitorReport.TryRead((byte[])value!) is { } report)
            {
                reports.Add(report);
            }
        }

        return [.. reports];
    }

    private sealed record TelemetrySource(string Name, string Instance, bool HasLogs, bool HasMetrics);

    /// <summary>The dashboard's own account of who sent what (GET /api/telemetry/resources).</summary>
    private static async Task<List<TelemetrySource>> TelemetrySourcesAsync(HttpClient dashboard, CancellationToken cancellationToken)
    {
        using var response = await dashboard.GetAsync("/api/telemetry/resources", cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            return [];
        }

        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        return [.. json.RootElement.EnumerateArray().Select(source => new TelemetrySource(
            source.GetProperty("name").GetString() ?? "",
            source.TryGetProperty("instanceId", out var instance) ? instance.GetString() ?? "" : "",
            source.GetProperty("hasLogs").GetBoolean(),
            source.GetProperty("hasMetrics").GetBoolean()))];
    }

    private static long Handled(MonitorReport report, string source) =>
        report.Sources.Where(s => s.Name == source).Sum(s => s.Handled);

    /// <summary>Processes whose environment holds this test's channel: the services the AppHost started for it.</summary>
    private static List<string> LeftRunning(string channel)
    {
        var marker = System.Text.Encoding.UTF8.GetBytes($"CHANNEL={channel}\0");
        var found = new List<string>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            var pid = Path.GetFileName(directory);
            if (!pid.All(char.IsAsciiDigit) || pid == Environment.ProcessId.ToString())
            {
                continue;
            }

            try
            {
                if (File.ReadAllBytes(Path.Combine(directory, "environ")).AsSpan().IndexOf(marker) >= 0)
                {
                    found.Add($"{pid} {File.ReadAllText(Path.Combine(directory, "cmdline")).Replace('\0', ' ').Trim()}");
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Gone meanwhile, or not ours to read.
            }
        }

        return found;
    }
}
