using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PubSubDemo.Shared.Observability;
using PubSubDemo.Subscriber.Processing;

namespace PubSubDemo.Subscriber.Observability;

public static class SubscriberObservabilityExtensions
{
    /// <summary>
    /// Metrics, health and the monitor report for the subscriber. Call after <c>AddSubscriber</c>: it wraps the
    /// registered message handler to measure latency and watch for a handler call that never returns.
    /// </summary>
    public static IHostApplicationBuilder AddSubscriberObservability(this IHostApplicationBuilder builder)
    {
        builder.AddObservability<SubscriberReportSource, SubscriberMetrics>(MonitorReport.SubscriberRole, SubscriberMetrics.MeterName);
        var services = builder.Services;
        services.AddHealthChecks().AddCheck<HandlerHealthCheck>("handler", tags: [HealthTags.Live]);

        var handler = services.LastOrDefault(d => d.ServiceType == typeof(IMessageHandler) && !d.IsKeyedService);
        if (handler is not null)
        {
            services.Remove(handler);
            services.AddSingleton<IMessageHandler>(sp => new MeasuringMessageHandler(
                Resolve(sp, handler),
                sp.GetRequiredService<SubscriberMetrics>(),
                sp.GetRequiredService<TimeProvider>()));
        }

        return builder;
    }

    private static IMessageHandler Resolve(IServiceProvider services, ServiceDescriptor descriptor) =>
        (IMessageHandler)(descriptor.ImplementationInstance
            ?? descriptor.ImplementationFactory?.Invoke(services)
            ?? ActivatorUtilities.CreateInstance(services, descriptor.ImplementationType!));
}
