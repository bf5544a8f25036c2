using System.Text.Json.Serialization.Metadata;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using PubSubDemo.Messaging.Contract;
using PubSubDemo.Messaging.EntityFrameworkCore.Engine;

namespace PubSubDemo.Messaging.EntityFrameworkCore;

/// <summary>The outbox and the inbox on the engine: <c>services.AddRedisMessaging(…).AddOutbox&lt;ShopContext&gt;().AddOutboxProducer&lt;Order&gt;(…)</c>.</summary>
public static class OutboxMessagingBuilderExtensions
{
    /// <summary>
    /// The outbox of <typeparamref name="TContext"/> (whose model called <c>AddMessagingOutbox()</c>), relayed to Redis
    /// through this engine, and the inbox of the same context, for handlers that write to it.
    /// </summary>
    public static MessagingBuilder AddOutbox<TContext>(this MessagingBuilder builder, Action<OutboxRelayOptions>? configure = null)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddMessagingOutbox<TContext>(configure);
        builder.Services.AddMessagingInbox<TContext>();
        builder.Services.TryAddSingleton<IOutboxTransport>(services => new RedisOutboxTransport(services, builder));
        return builder;
    }

    /// <summary>
    /// The inbox of <typeparamref name="TContext"/> (whose model called <c>AddMessagingInbox()</c>) for an app that only
    /// consumes, or to set its <see cref="InboxOptions"/>: <see cref="IInbox"/> and the cleanup of its markers.
    /// </summary>
    public static MessagingBuilder AddInbox<TContext>(this MessagingBuilder builder, Action<InboxOptions>? configure = null)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddMessagingInbox<TContext>(configure);
        return builder;
    }

    /// <summary>
    /// <see cref="IOutboxProducer{T}"/> for <paramref name="destination"/> (scoped, over the scope's DbContext). A type whose
    /// JSON names one of the engine's fields (id, timestamp, …) is refused here, as <c>AddQueue</c> refuses it.
    /// </summary>
    public static MessagingBuilder AddOutboxProducer<T>(this MessagingBuilder builder, OutboxDestination destination, JsonTypeInfo<T> json)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(json);
        TypedPayload.RefuseClash(json);

        builder.Services.AddScoped<IOutboxProducer<T>>(services => new OutboxProducer<T>(
            services.GetRequiredService<IOutbox>(), destination, json, services.GetRequiredService<TimeProvider>()));
        return builder;
    }
}
