using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using PubSubDemo.Messaging.Connection;
using PubSubDemo.Messaging.Contract;
using PubSubDemo.Messaging.Handling;
using PubSubDemo.Messaging.Producing;
using PubSubDemo.Messaging.Registration;

namespace PubSubDemo.Messaging;

/// <summary>
/// Adds channels, queues and streams for message types, each under its name with options of its own (named options,
/// validated when the host starts). <c>AddQueue&lt;T&gt;</c> adds a producer (<see cref="IMessageProducer{T}"/>);
/// <c>AddQueue&lt;T, THandler&gt;</c> adds the producer and a consumer that hands each delivery to <c>THandler</c>,
/// resolved in a DI scope of its own. The same for <see cref="AddStream{T}(string, JsonTypeInfo{T}, Action{StreamOptions}?)"/>
/// and <see cref="AddChannel{T}(string, JsonTypeInfo{T}, Action{ChannelOptions}?)"/>.
/// </summary>
/// <remarks>
/// Every <c>Add…</c> method throws <see cref="ArgumentException"/> for an empty name, or a message type whose
/// JSON has a property the engine writes itself (<c>id</c>, <c>timestamp</c>, <c>notBefore</c>, <c>traceparent</c>,
/// <c>tracestate</c>, <c>sender</c>, <c>seq</c>), and <see cref="InvalidOperationException"/> for a name registered twice
/// as the same kind. Bad option values are reported when the host starts (<c>ValidateOnStart</c>), one line per value,
/// as an <c>OptionsValidationException</c>.
/// </remarks>
public sealed class MessagingBuilder
{
    private readonly HashSet<string> _registered = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (MessageSource Source, Func<IServiceProvider, DestinationOptions> Options)> _reliable = new(StringComparer.Ordinal);

    internal MessagingBuilder(IServiceCollection services, MessagingReadiness readiness)
    {
        Services = services;
        Readiness = readiness;
    }

    /// <summary>The application's services.</summary>
    public IServiceCollection Services { get; }

    internal MessagingReadiness Readiness { get; }

    /// <summary>A list queue's producer for <typeparamref name="T"/>.</summary>
    public MessagingBuilder AddQueue<T>(string name, JsonTypeInfo<T> json, Action<QueueOptions>? configure = null) =>
        Add(name, MessageSource.Queue, json, configure, null, consume: null);

    /// <summary>A list queue's producer and consumer for <typeparamref name="T"/>: at least once, retries with backoff, dead letters.</summary>
    public MessagingBuilder AddQueue<T, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] THandler>(string name, JsonTypeInfo<T> json, Action<QueueOptions>? configure = null)
        where THandler : class, IMessageHandler<T> => AddConsumer<T, THandler, QueueOptions>(name, MessageSource.Queue, json, configure, null);

    /// <summary>Like <see cref="AddQueue{T, THandler}(string, JsonTypeInfo{T}, Action{QueueOptions}?)"/>, its options bound from <paramref name="configuration"/> (e.g. <c>MaxAttempts</c>, <c>RetryBackoff</c>).</summary>
    public MessagingBuilder AddQueue<T, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] THandler>(string name, JsonTypeInfo<T> json, IConfiguration configuration)
        where THandler : class, IMessageHandler<T> => AddConsumer<T, THandler, QueueOptions>(name, MessageSource.Queue, json, null, configuration);

    /// <summary>A stream's producer for <typeparamref name="T"/>.</summary>
    public MessagingBuilder AddStream<T>(string name, JsonTypeInfo<T> json, Action<StreamOptions>? configure = null) =>
        Add(name, MessageSource.Stream, json, configure, null, consume: null);

    /// <summary>A stream's producer and a consumer in its group (<see cref="StreamOptions.Group"/>) for <typeparamref name="T"/>.</summary>
    public MessagingBuilder AddStream<T, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] THandler>(string name, JsonTypeInfo<T> json, Action<StreamOptions>? configure = null)
        where THandler : class, IMessageHandler<T> => AddConsumer<T, THandler, StreamOptions>(name, MessageSource.Stream, json, configure, null);

    /// <summary>Like <see cref="AddStream{T, THandler}(string, JsonTypeInfo{T}, Action{StreamOptions}?)"/>, its options bound from <paramref name="configuration"/>.</summary>
    public MessagingBuilder AddStream<T, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] THandler>(string name, JsonTypeInfo<T> json, IConfiguration configuration)
        where THandler : class, IMessageHandler<T> => AddConsumer<T, THandler, StreamOptions>(name, MessageSource.Stream, json, null, configuration);

    /// <summary>A pub/sub channel's publisher for <typeparamref name="T"/>.</summary>
    public MessagingBuilder AddChannel<T>(string name, JsonTypeInfo<T> json, Action<ChannelOptions>? configure = null) =>
        Add(name, MessageSource.Channel, json, configure, null, consume: null);

    /// <summary>A pub/sub channel's publisher and subscriber for <typeparamref name="T"/>: every subscriber gets every message published while it is subscribed.</summary>
    public MessagingBuilder AddChannel<T, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] THandler>(string name, JsonTypeInfo<T> json, Action<ChannelOptions>? configure = null)
        where THandler : class, IMessageHandler<T> => AddConsumer<T, THandler, ChannelOptions>(name, MessageSource.Channel, json, configure, null);

    /// <summary>Like <see cref="AddChannel{T, THandler}(string, JsonTypeInfo{T}, Action{ChannelOptions}?)"/>, its options bound from <paramref name="configuration"/>.</summary>
    public MessagingBuilder AddChannel<T, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] THandler>(string name, JsonTypeInfo<T> json, IConfiguration configuration)
        where THandler : class, IMessageHandler<T> => AddConsumer<T, THandler, ChannelOptions>(name, MessageSource.Channel, json, null, configuration);

    private MessagingBuilder Add<T, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] TOptions>(
        string name,
        MessageSource source,
        JsonTypeInfo<T> json,
        Action<TOptions>? configure,
        IConfiguration? configuration,
        Func<IServiceProvider, JsonTypeInfo<T>, Processing.IMessageHandler>? consume)
        where TOptions : DestinationOptions
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(json);
        TypedPayload.RefuseClash(json);

        if (!_registered.Add($"{source} {name}"))
        {
            throw new InvalidOperationException($"{source.ToString().ToLowerInvariant()} '{name}' is registered twice; register each name once, with its consumer if it has one");
        }

        if (source != MessageSource.Channel)
        {
            _reliable[name] = (source, services => services.GetRequiredService<IOptionsMonitor<TOptions>>().Get(name));
        }

        var options = Services.AddOptions<TOptions>(name).ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        if (configuration is not null)
        {
            Bind(options, configuration);
        }

        Services.AddKeyedSingleton<IMessageProducer<T>>(name, (services, _) => new TypedProducer<T>(
            name,
            source switch { MessageSource.Queue => Destinations.Queue, MessageSource.Stream => Destinations.Stream, _ => Destinations.Channel },
            EngineParts.Sender(services, name, source, services.GetRequiredService<IOptionsMonitor<TOptions>>().Get(name)),
            services.GetRequiredService<RedisConnection>(),
            json,
            services.GetRequiredService<TimeProvider>()));
        Services.TryAddSingleton(services => services.GetRequiredKeyedService<IMessageProducer<T>>(name));

        Services.AddSingleton<IServerNeeds>(services => new RegistrationNeeds(
            name, source, services.GetRequiredService<IOptionsMonitor<TOptions>>().Get(name), consumes: consume is not null));
        if (consume is not null)
        {
            Readiness.Expect(source switch
            {
                MessageSource.Queue => MessagingReadiness.Queue(name),
                MessageSource.Stream => MessagingReadiness.Stream(name),
                _ => MessagingReadiness.Channel(name),
            });
            Services.AddSingleton<IHostedService>(services => EngineParts.Consumer(
                services, name, source, services.GetRequiredService<IOptionsMonitor<TOptions>>().Get(name), consume(services, json)));
        }

        return this;
    }

    private MessagingBuilder AddConsumer<T, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] THandler, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] TOptions>(string name, MessageSource source, JsonTypeInfo<T> json, Action<TOptions>? configure, IConfiguration? configuration)
        where THandler : class, IMessageHandler<T>
        where TOptions : DestinationOptions
    {
        Services.TryAddScoped<THandler>();
        return Add(name, source, json, configure, configuration, Consume<T, THandler>);
    }

    /// <summary>A registered queue or stream: its source and its options; null for a name not registered as one.</summary>
    internal (MessageSource Source, DestinationOptions Options)? Reliable(IServiceProvider services, string name) =>
        _reliable.TryGetValue(name, out var found) ? (found.Source, found.Options(services)) : null;

    private static void Bind<TOptions>(OptionsBuilder<TOptions> options, IConfiguration configuration)
        where TOptions : DestinationOptions
    {
        // Each type bound by name, so the configuration binding source generator writes its binder (no reflection under Native AOT).
        switch (options)
        {
            case OptionsBuilder<QueueOptions> queue:
                queue.Bind(configuration);
                break;
            case OptionsBuilder<StreamOptions> stream:
                stream.Bind(configuration);
                break;
            case OptionsBuilder<ChannelOptions> channel:
                channel.Bind(configuration);
                break;
        }
    }

    private static TypedHandler<T, THandler> Consume<T, THandler>(IServiceProvider services, JsonTypeInfo<T> json)
        where THandler : class, IMessageHandler<T> =>
        new TypedHandler<T, THandler>(services.GetRequiredService<IServiceScopeFactory>(), json);
}
