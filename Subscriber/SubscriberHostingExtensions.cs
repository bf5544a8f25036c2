using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using PubSubDemo.Shared.Configuration;
using PubSubDemo.Shared.Observability;
using PubSubDemo.Shared.Security;
using PubSubDemo.Subscriber.Consumers;
using PubSubDemo.Subscriber.Processing;
using PubSubDemo.Subscriber.Stats;

namespace PubSubDemo.Subscriber;

public static class SubscriberHostingExtensions
{
    /// <summary>
    /// The consumers PATTERN asks for, the shared processing path and the summary. The summary is registered
    /// first so that it stops last, after every consumer has finished what it had in hand.
    /// </summary>
    public static IHostApplicationBuilder AddSubscriber(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSettings<SubscriberSettings>();
        services.AddSingleton<SubscriberStats>();
        services.AddSettings<StatsFileSettings>();
        services.TryAddSingleton<LoopHeartbeat>();
        services.TryAddSingleton<IMessageHandler, DemoMessageHandler>();
        services.AddSingleton<MessageProcessor>();
        services.AddHostedService<SummaryReporter>();
        services.AddServerAccess<ConsumerAccess>();

        // PATTERN decides which consumers exist. A bad PATTERN falls back to both here, but validation stops the host before any starts.
        var pattern = new SettingsReader(builder.Configuration).Choice(EnvironmentNames.Pattern, Pattern.Both, MessagingSettings.Patterns);
        if (pattern.HasFlag(Pattern.PubSub))
        {
            services.AddHostedService<ChannelConsumer>();
        }

        if (pattern.HasFlag(Pattern.Queue))
        {
            services.AddHostedService<QueueConsumer>();
        }

        if (pattern.HasFlag(Pattern.Stream))
        {
            services.AddHostedService<StreamConsumer>();
        }

        return builder;
    }
}
