using Microsoft.Extensions.Hosting;
using PubSubDemo.Shared.Observability;
using PubSubDemo.Messaging.Observability;

namespace PubSubDemo.Publisher.Observability;

internal static class PublisherObservabilityExtensions
{
    /// <summary>Metrics, health and the monitor report for the publisher.</summary>
    public static IHostApplicationBuilder AddPublisherObservability(this IHostApplicationBuilder builder)
    {
        builder.AddObservability<PublisherReportSource, PublisherMetrics>(MonitorReport.PublisherRole, PublisherMetrics.MeterName);
        return builder;
    }
}
