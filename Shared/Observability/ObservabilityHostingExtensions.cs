using PubSubDemo.Messaging.Observability;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using PubSubDemo.Shared.Configuration;
using PubSubDemo.Messaging.Configuration;
using PubSubDemo.Shared.Hosting;
using PubSubDemo.Shared.Security;
using PubSubDemo.Messaging.Security;

namespace PubSubDemo.Shared.Observability;

internal static class ObservabilityHostingExtensions
{
    /// <summary>
    /// What both services share for being watched: the loop heartbeat and the health checks, the per-second monitor
    /// report, and, with METRICS_PORT, /metrics for Prometheus and /health/live and /health/ready on that port
    /// (plus metrics, logs and message traces over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set). <typeparamref name="TMetrics"/> creates the role's
    /// instruments on <paramref name="meterName"/>; it is created when the host starts. <c>--healthcheck live|ready|all</c>
    /// asks a running instance on METRICS_PORT (<see cref="HealthCheckVerb"/>).
    /// </summary>
    public static IHostApplicationBuilder AddObservability<
        [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TSource,
        [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TMetrics>(
        this IHostApplicationBuilder builder, string role, string meterName)
        where TSource : class, IMonitorReportSource
        where TMetrics : class
    {
        // The health check service logs every failing check on every probe, once a second from the monitor report;
        // the report logs the changes instead (MonitorReporter).
        builder.Logging.AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.Critical);

        var services = builder.Services;
        var settings = builder.AddSettings<ObservabilitySettings>();
        services.TryAddSingleton<LoopHeartbeat>();
        services.AddSingleton<IServiceVerb>(new HealthCheckVerb(settings.MetricsPort, EnvironmentNames.MetricsPort));
        services.AddMetrics();
        services.TryAddSingleton<TMetrics>();
        services.AddHostedService<InstrumentActivation<TMetrics>>();
        services.AddSingleton<IMonitorReportSource, TSource>();
        services.AddHealthChecks()
            .AddCheck<LoopsHealthCheck>("loops", tags: [HealthTags.Live])
            .AddCheck<ServerReadinessHealthCheck>("server", tags: [HealthTags.Ready]);

        // The settings read above decide which services exist; a bad value among them still stops the host at start.
        if (settings.MonitorReport)
        {
            services.AddHostedService<MonitorReporter>();
            services.AddServerAccess<MonitorReportAccess>();
        }

        if (settings.MetricsPort is not null)
        {
            services.AddHostedService<HealthEndpoint>();
        }

        if (settings.MetricsPort is not null || settings.OtlpEnabled)
        {
            AddOpenTelemetry(services, settings, role, meterName);
        }

        return builder;
    }

    /// <summary>Kept apart so that without METRICS_PORT or OTLP the OpenTelemetry SDK is never even loaded.</summary>
    private static void AddOpenTelemetry(IServiceCollection services, ObservabilitySettings settings, string role, string meterName)
    {
        var openTelemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource
                .AddService($"pubsubdemo-{role}")
                .AddDetector(sp => new InstanceDetector(sp.GetRequiredService<MessagingSettings>().InstanceName)))
            .WithMetrics(metrics =>
            {
                // System.Runtime: the runtime's own meter (GC, heap, working set), so memory is graphed beside the messages.
                metrics.AddMeter(meterName, "System.Runtime");

                // A handful of series per instrument (a source tag at most); the default limit of 2,000 preallocates
                // room for 2,000 each, several megabytes that a subscriber meant to stay small does not need.
                metrics.AddView(_ => new MetricStreamConfiguration { CardinalityLimit = 16 });
                if (settings.MetricsPort is { } port)
                {
                    metrics.AddPrometheusHttpListener(options =>
                    {
                        options.Port = port;
                        options.ScrapeResponseCacheDurationMilliseconds = 0;

                        // METRICS_BIND: loopback outside a container, every interface in one (Prometheus scrapes it
                        // from outside); /health/ shares the port.
                        options.ConfigureHttpListener = (_, listener) =>
                        {
                            listener.Prefixes.Clear();
                            listener.Prefixes.Add($"http://{settings.MetricsBind}:{port}/metrics/");
                        };
                    });
                }

                if (settings.OtlpEnabled)
                {
                    metrics.AddOtlpExporter();
                }
            });

        if (settings.OtlpEnabled)
        {
            // The log lines go over OTLP too (the Aspire dashboard's structured logs), beside the console ones.
            openTelemetry.WithLogging(logging => logging.AddOtlpExporter(), options => options.IncludeFormattedMessage = true);

            // The message traces (MessageTracing); without OTLP nobody listens and no span is made. The SDK picks the
            // sampler from OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG itself (default parentbased_always_on).
            // StackExchange.Redis's command spans are left out: the sender's batches and the consumers' reads serve
            // many messages each, so their spans would be roots of their own beside every message's trace, and the
            // instrumentation profiles every command on the connection even when nothing is sampled.
            openTelemetry.WithTracing(tracing => tracing.AddSource(MessageTracing.SourceName).AddOtlpExporter());
        }
    }

    /// <summary>service.instance.id: the same name the logs, the queue keys and the monitor use.</summary>
    private sealed class InstanceDetector(string instance) : IResourceDetector
    {
        public Resource Detect() => new([new("service.instance.id", instance)]);
    }

    /// <summary>Creates the role's observable instruments when the host starts, before anything collects them.</summary>
    private sealed class InstrumentActivation<TMetrics>(TMetrics metrics) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            GC.KeepAlive(metrics);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
