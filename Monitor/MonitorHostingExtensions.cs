using System.Reflection;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using PubSubDemo.Monitor.Collection;
using PubSubDemo.Shared.Configuration;
using PubSubDemo.Messaging.Configuration;
using PubSubDemo.Shared.Connection;
using PubSubDemo.Messaging.Connection;
using PubSubDemo.Shared.Hosting;
using PubSubDemo.Shared.Observability;
using PubSubDemo.Messaging.Observability;
using PubSubDemo.Shared.Security;
using PubSubDemo.Messaging.Security;

namespace PubSubDemo.Monitor;

internal static partial class MonitorHostingExtensions
{
    /// <summary>The collector, the feed and the port: MONITOR_PORT, else ASPNETCORE_URLS or ASPNETCORE_HTTP_PORTS, else 8080.</summary>
    public static WebApplicationBuilder AddMonitor(this WebApplicationBuilder builder)
    {
        var settings = builder.AddSettings<MonitorSettings>();

        // --healthcheck ready, for a compose healthcheck in an image without curl: the page's port, not METRICS_PORT.
        builder.Services.AddSingleton<IServiceVerb>(new HealthCheckVerb(settings.Port ?? MonitorSettings.DefaultPort, EnvironmentNames.MonitorPort));

        // ASP.NET Core logs a line per request; the collector's own lines are the ones worth reading.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Services.AddSingleton<SnapshotFeed>();
        builder.Services.AddHostedService<SnapshotCollector>();
        builder.Services.AddServerAccess<CollectorAccess>();

        if (settings.Port is { } port)
        {
            // Kestrel picks a free port (0) on one address only: loopback is then 127.0.0.1, not both of localhost's.
            builder.WebHost.UseUrls($"http://{(port == 0 && settings.Bind == "localhost" ? BindAddress.Loopback : settings.Bind)}:{port}");
        }
        else if (builder.Configuration["urls"] is null && builder.Configuration["http_ports"] is null)
        {
            builder.WebHost.UseUrls($"http://{settings.Bind}:{MonitorSettings.DefaultPort}");
        }

        return builder;
    }

    /// <summary>The page at /, its event stream at /events, the current snapshot at /api/snapshot, and health.</summary>
    public static WebApplication MapMonitor(this WebApplication app)
    {
        app.MapGet("/", () => Results.Bytes(Page.Value, "text/html; charset=utf-8"));
        app.MapGet("/events", (SnapshotFeed feed, CancellationToken cancellationToken) =>
            TypedResults.ServerSentEvents(feed.StreamAsync(cancellationToken)));
        app.MapGet("/api/snapshot", (SnapshotFeed feed) =>
            feed.CurrentJson is { } json ? Results.Text(json, "application/json") : Results.StatusCode(StatusCodes.Status503ServiceUnavailable));
        app.MapGet("/health/live", () => Results.Text("ok"));
        app.MapGet("/health/ready", Ready);
        app.MapGet("/health", Ready);

        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("PubSubDemo.Monitor");
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            foreach (var address in addresses)
            {
                LogServing(logger, address.Replace("[::]", "localhost", StringComparison.Ordinal).Replace("+", "localhost", StringComparison.Ordinal).Replace("0.0.0.0", "localhost", StringComparison.Ordinal).Replace("127.0.0.1", "localhost", StringComparison.Ordinal));
            }
        });
        return app;
    }

    private static IResult Ready(RedisConnection connection) => connection.IsConnected
        ? Results.Text($"connected to {connection.Endpoint}")
        : Results.Text($"not connected to {connection.Endpoint}", statusCode: StatusCodes.Status503ServiceUnavailable);

    /// <summary>The one page, embedded in the assembly: no static-file folder to find at run time, no front-end build.</summary>
    private static readonly Lazy<byte[]> Page = new(() =>
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("index.html")
            ?? throw new InvalidOperationException("The page (index.html) is not embedded in the monitor assembly");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    });

    [LoggerMessage(5101, LogLevel.Information, "Monitor at {Address}")]
    private static partial void LogServing(ILogger logger, string address);
}
