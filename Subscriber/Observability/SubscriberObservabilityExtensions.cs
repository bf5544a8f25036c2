using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PubSubDemo.Shared.Observability;
using PubSubDemo.Messaging.Observability;
using PubSubDemo.Messaging.Telemetry;

namespace PubSubDemo.Subscriber.Observability;

internal static class SubscriberObservabilityExtensions
{
    /// <summary>
    /// Metrics, health and the monitor report for the subscriber, over the telemetry that <c>AddSubscriber</c>
    /// registers; the handler watchdog that the "handler" check reads runs inside the message processor.
    /// </summary>
    public static IHostApplicationBuilder AddSubscriberObservability(this IHostApplicationBuilder builder)
    {
        builder.AddObservability<SubscriberReportSource, SubscriberTelemetry>(MonitorReport.SubscriberRole, SubscriberTelemetry.MeterName);
        builder.Services.AddHealthChecks().AddCheck<HandlerHealthCheck>("handler", tags: [HealthTags.Live]);
        return builder;
    }
}
