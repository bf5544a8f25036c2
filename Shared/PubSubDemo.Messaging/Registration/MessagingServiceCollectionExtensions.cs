using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using PubSubDemo.Messaging.Configuration;
using PubSubDemo.Messaging.Connection;
using PubSubDemo.Messaging.Observability;
using PubSubDemo.Messaging.Registration;

namespace PubSubDemo.Messaging;

/// <summary>The entry point: <c>services.AddRedisMessaging(…).AddQueue&lt;Order, OrderHandler&gt;("orders", AppJson.Default.Order)</c>.</summary>
public static class MessagingServiceCollectionExtensions
{
    /// <summary>
    /// Adds the engine: one connection (the <c>IConnectionMultiplexer</c> the application registered, else one made
    /// from <see cref="RedisMessagingOptions.ConnectionString"/>), <see cref="MessagingReadiness"/> and its health check
    /// (<c>messaging</c>, tagged <c>ready</c>). Call it once; add channels, queues and streams on what it returns.
    /// </summary>
    public static MessagingBuilder AddRedisMessaging(this IServiceCollection services, Action<RedisMessagingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<RedisMessagingOptions>().ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        return Core(services);
    }

    /// <summary>Like <see cref="AddRedisMessaging(IServiceCollection, Action{RedisMessagingOptions}?)"/>, its options bound from <paramref name="configuration"/> (<c>ConnectionString</c>, <c>InstanceName</c>).</summary>
    public static MessagingBuilder AddRedisMessaging(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<RedisMessagingOptions>().Bind(configuration).ValidateOnStart();
        return Core(services);
    }

    private static MessagingBuilder Core(IServiceCollection services)
    {
        if (services.LastOrDefault(d => d.ServiceType == typeof(MessagingBuilder))?.ImplementationInstance is MessagingBuilder known)
        {
            return known;
        }

        var builder = new MessagingBuilder(services, new MessagingReadiness());
        services.AddSingleton(builder);
        services.AddSingleton(builder.Readiness);
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.TryAddSingleton<LoopHeartbeat>();
        services.TryAddSingleton(sp => new EngineParts.Instance(sp.GetRequiredService<IOptions<RedisMessagingOptions>>().Value.InstanceName ?? InstanceNames.Create()));
        services.TryAddSingleton(EngineParts.Connection);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RedisMessagingOptions>, RedisMessagingOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<QueueOptions>, DestinationOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StreamOptions>, DestinationOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ChannelOptions>, DestinationOptionsValidator>());
        services.AddHealthChecks().AddCheck<MessagingReadinessHealthCheck>("messaging", tags: ["ready"]);
        return builder;
    }

    /// <summary>A connection string the client cannot read stops the host at start, with the reason and what is allowed.</summary>
    private sealed class RedisMessagingOptionsValidator(IServiceProvider services) : IValidateOptions<RedisMessagingOptions>
    {
        public ValidateOptionsResult Validate(string? name, RedisMessagingOptions options)
        {
            if (services.GetService<StackExchange.Redis.IConnectionMultiplexer>() is not null)
            {
                return ValidateOptionsResult.Success;
            }

            return RedisAddress.TryParse(options.ConnectionString ?? "", out _, out var problem)
                ? ValidateOptionsResult.Success
                : ValidateOptionsResult.Fail($"RedisMessagingOptions.ConnectionString='{RedisAddress.Redact(options.ConnectionString ?? "")}' is not valid: {problem}; {RedisAddress.Allowed}.");
        }
    }
}
