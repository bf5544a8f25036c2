using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using PubSubDemo.Publisher.Sending;
using PubSubDemo.Messaging.Producing;
using PubSubDemo.Shared.Configuration;
using PubSubDemo.Messaging.Configuration;
using PubSubDemo.Shared.Connection;
using PubSubDemo.Messaging.Connection;
using PubSubDemo.Shared.Observability;
using PubSubDemo.Messaging.Observability;
using PubSubDemo.Shared.Security;
using PubSubDemo.Messaging.Security;
using PubSubDemo.Messaging;

namespace PubSubDemo.Publisher;

internal static class PublisherHostingExtensions
{
    public static IHostApplicationBuilder AddPublisher(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSettings<PublisherSettings>();
        builder.Services.AddSingleton<PublisherStats>();
        builder.Services.AddSingleton<IProducerObserver>(services => services.GetRequiredService<PublisherStats>());
        builder.Services.AddSettings<StatsFileSettings>();
        builder.Services.TryAddSingleton<LoopHeartbeat>();
        builder.Services.AddSingleton<MessageSender>();
        builder.Services.AddHostedService<PublisherWorker>();
        builder.Services.AddServerAccess<SenderAccess>();
        builder.Services.AddServerNeeds<SenderNeeds>();
        return builder;
    }
}
