using PubSubDemo.Messaging.Observability;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PubSubDemo.Shared.Configuration;
using PubSubDemo.Messaging.Configuration;

namespace PubSubDemo.Shared.Observability;

/// <summary>
/// /health/live and /health/ready on METRICS_PORT, beside the Prometheus exporter's /metrics on the same port.
/// HttpListener rather than Kestrel: the services run on the plain .NET runtime image and stay small.
/// </summary>
internal sealed partial class HealthEndpoint(
    HealthCheckService health,
    ObservabilitySettings settings,
    ILogger<HealthEndpoint> logger) : BackgroundService
{
    private readonly HttpListener _listener = new();

    /// <summary>Binds before the host reports started, so a probe that follows start-up finds the port open.</summary>
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        var port = settings.MetricsPort!.Value;
        _listener.Prefixes.Add($"http://{settings.MetricsBind}:{port}/health/");
        try
        {
            _listener.Start();
        }
        catch (HttpListenerException ex)
        {
            throw new InvalidOperationException($"{EnvironmentNames.MetricsPort}={port}: cannot serve /health and /metrics there: {ex.Message}", ex);
        }

        LogListening(settings.MetricsBind, port);
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var stop = stoppingToken.Register(_listener.Stop);
        while (!stoppingToken.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => RespondAsync(context, stoppingToken), CancellationToken.None);
        }
    }

    private async Task RespondAsync(HttpListenerContext context, CancellationToken cancellationToken)
    {
        var response = context.Response;
        try
        {
            var path = context.Request.Url?.AbsolutePath.TrimEnd('/') ?? "";
            Func<HealthCheckRegistration, bool>? predicate = path switch
            {
                "/health/live" => r => r.Tags.Contains(HealthTags.Live),
                "/health/ready" => r => r.Tags.Contains(HealthTags.Ready),
                "/health" => _ => true,
                _ => null,
            };
            if (predicate is null)
            {
                response.StatusCode = 404;
                return;
            }

            var report = await health.CheckHealthAsync(predicate, cancellationToken);
            response.StatusCode = report.Status == HealthStatus.Unhealthy ? 503 : 200;
            response.ContentType = "application/json";
            response.Headers["Cache-Control"] = "no-store";
            var body = Render(report);
            response.ContentLength64 = body.Length;
            await response.OutputStream.WriteAsync(body, cancellationToken);
        }
        catch (Exception ex) when (ex is HttpListenerException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The prober went away or we are stopping: nothing to answer.
        }
        finally
        {
            try
            {
                response.Close();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
            }
        }
    }

    /// <summary>{"status":"Unhealthy","checks":{"loops":{"status":"Unhealthy","description":"...","data":{...}}}}</summary>
    internal static byte[] Render(HealthReport report)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("status", report.Status.ToString());
            json.WriteStartObject("checks");
            foreach (var (name, entry) in report.Entries)
            {
                json.WriteStartObject(name);
                json.WriteString("status", entry.Status.ToString());
                json.WriteString("description", entry.Description);
                if (entry.Data.Count > 0)
                {
                    json.WriteStartObject("data");
                    foreach (var (key, value) in entry.Data)
                    {
                        json.WriteString(key, value?.ToString());
                    }

                    json.WriteEndObject();
                }

                json.WriteEndObject();
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    public override void Dispose()
    {
        _listener.Close();
        base.Dispose();
    }

    [LoggerMessage(4001, LogLevel.Information, "Serving /metrics, /health/live and /health/ready on {Address} port {Port}")]
    private partial void LogListening(string address, int port);
}
