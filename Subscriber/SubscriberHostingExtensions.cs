using PubSubDemo.Messaging;
using PubSubDemo.Subscriber.Dedupe;
using PubSubDemo.Subscriber.Selection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using PubSubDemo.Shared.Configuration;
using PubSubDemo.Messaging.Configuration;
using PubSubDemo.Shared.Connection;
using PubSubDemo.Messaging.Connection;
using PubSubDemo.Shared.Observability;
using PubSubDemo.Messaging.Observability;
using PubSubDemo.Shared.Security;
using PubSubDemo.Messaging.Security;
using PubSubDemo.Messaging.Consumers;
using PubSubDemo.Messaging.Dedupe;
using PubSubDemo.Subscriber.Redrive;
using PubSubDemo.Messaging.Redrive;
using PubSubDemo.Messaging.Processing;
using PubSubDemo.Subscriber.Reporting;
using PubSubDemo.Messaging.Selection;
using PubSubDemo.Messaging.Telemetry;
using PubSubDemo.Subscriber.Figures;

namespace PubSubDemo.Subscriber;

internal static class SubscriberHostingExtensions
{
    /// <summary>
    /// The consumers PATTERN asks for, the shared processing path, its telemetry, the figures that observe it and the summary. The summary is
    /// registered first so that it stops last, after every consumer has finished what it had in hand.
    /// </summary>
    public static IHostApplicationBuilder AddSubscriber(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        var messaging = builder.AddSettings<MessagingSettings>();
        builder.AddSettings<SubscriberSettings>();
        builder.AddSettings<StatsFileSettings>();
        builder.AddSettings<SelectionSettings>();
        services.TryAddSingleton<HandleRate>();
        services.AddMetrics();
        services.TryAddSingleton<SubscriberTelemetry>();

        // The demo's figures (summary, STATS_FILE, monitor report, flow samples, gaps) observe the engine's outcomes.
        services.TryAddSingleton<SubscriberFigures>();
        services.AddSingleton<IMessagingObserver>(sp => sp.GetRequiredService<SubscriberFigures>());
        services.TryAddSingleton<LoopHeartbeat>();
        services.TryAddSingleton<IMessageHandler, DemoMessageHandler>();
        services.AddSingleton<MessageProcessor>();
        services.TryAddSingleton(_ => new MessagingReadiness());
        services.AddSingleton<ConsumerServices>();
        services.AddHostedService<SummaryReporter>();
        services.AddHostedService<BacklogPoller>();
        services.AddServerAccess<ConsumerAccess>();
        builder.AddSettings<DedupeSettings>();
        services.AddSingleton<Deduplicator>();
        services.AddServerAccess<DedupeAccess>();
        services.AddServerNeeds<ConsumerNeeds>();
        services.AddRedrive();

        // The PATTERN read once above decides which consumers exist; a bad one falls back to both here, and validation stops the host before any starts.
        if (messaging.Uses(Pattern.PubSub))
        {
            services.AddHostedService<ChannelConsumer>();
        }

        if (messaging.Uses(Pattern.Queue))
        {
            services.AddHostedService<QueueConsumer>();
        }

        if (messaging.Uses(Pattern.Stream))
        {
            services.AddHostedService<StreamConsumer>();
        }

        return builder;
    }
}
