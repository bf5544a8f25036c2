using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PubSubDemo.Messaging.Configuration;
using PubSubDemo.Messaging.Connection;
using PubSubDemo.Messaging.Consumers;
using PubSubDemo.Messaging.Dedupe;
using PubSubDemo.Messaging.Observability;
using PubSubDemo.Messaging.Processing;
using PubSubDemo.Messaging.Producing;
using PubSubDemo.Messaging.Selection;
using PubSubDemo.Messaging.Telemetry;

namespace PubSubDemo.Messaging.Registration;

/// <summary>
/// Builds the engine's parts for one registration from its options: the same consumers, processing path, DEDUPE and
/// sender the demo hosts run, each with options of its own instead of the process-wide environment.
/// </summary>
internal static class EngineParts
{
    /// <summary>The process's name on the server, shared by every registration.</summary>
    internal sealed record Instance(string Name);

    public static MessagingOptions Messaging(IServiceProvider services, string name, MessageSource source, DestinationOptions options)
    {
        var instance = services.GetRequiredService<Instance>().Name;
        var messaging = new MessagingOptions
        {
            PubSubMode = options.PubSubMode,
            MaxMessageBytes = options.MaxMessageBytes,
            ContentRequired = false,
            InstanceName = instance,
            SenderId = instance,
            PartitionCount = options is ReliableDestinationOptions reliable ? reliable.Partitions : 1,
        };
        switch (source)
        {
            case MessageSource.Queue:
                messaging.Pattern = Pattern.Queue;
                messaging.Queue = name;
                break;
            case MessageSource.Stream:
                messaging.Pattern = Pattern.Stream;
                messaging.Stream = name;
                messaging.Group = ((StreamOptions)options).Group;
                break;
            default:
                messaging.Pattern = Pattern.PubSub;
                messaging.Channel = name;
                break;
        }

        return messaging;
    }

    public static IHostedService Consumer(IServiceProvider services, string name, MessageSource source, DestinationOptions options, IMessageHandler handler)
    {
        var messaging = Messaging(services, name, source, options);
        var consumer = new ConsumerOptions
        {
            LogMessages = false,
            ConsumerName = options.ConsumerName ?? "",
            ChannelBuffer = options is ChannelOptions channel ? channel.Buffer : 10_000,
        };
        if (options is ReliableDestinationOptions reliable)
        {
            consumer.BatchSize = reliable.BatchSize;
            consumer.MaxAttempts = reliable.MaxAttempts;
            consumer.RetryBackoff = reliable.RetryBackoff;
            consumer.RetryBackoffMax = reliable.RetryBackoffMax;
            consumer.IdlePoll = reliable.IdlePoll;
        }

        if (options is QueueOptions queue)
        {
            consumer.HeartbeatTtl = queue.HeartbeatTtl;
            consumer.BlockingTake = queue.BlockingTake;
        }

        if (options is StreamOptions stream)
        {
            consumer.ClaimIdle = stream.ClaimIdle;
            consumer.StreamStart = stream.StartAt;
        }

        var selection = new SelectionOptions
        {
            Filter = options.Filter is null ? null : MessageFilter.Parse(options.Filter).Filter,
            HandleRate = options.HandleRate,
        };
        var dedupe = new DedupeOptions { Enabled = options.Dedupe, Ttl = options.DedupeTtl };
        var time = services.GetRequiredService<TimeProvider>();
        var logs = services.GetRequiredService<ILoggerFactory>();
        var telemetry = new SubscriberTelemetry(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), messaging, name, services.GetServices<IMessagingObserver>());
        var processor = new MessageProcessor(messaging, consumer, telemetry, handler, time, logs.CreateLogger<MessageProcessor>(), selection);
        var parts = new ConsumerServices(
            services.GetRequiredService<RedisConnection>(),
            messaging,
            consumer,
            processor,
            time,
            services.GetRequiredService<LoopHeartbeat>(),
            new Deduplicator(dedupe, messaging, consumer),
            new HandleRate(selection),
            services.GetRequiredService<MessagingReadiness>());
        return source switch
        {
            MessageSource.Queue => new QueueConsumer(parts, logs.CreateLogger<QueueConsumer>()),
            MessageSource.Stream => new StreamConsumer(parts, logs.CreateLogger<StreamConsumer>()),
            _ => new ChannelConsumer(parts, logs.CreateLogger<ChannelConsumer>()),
        };
    }

    public static MessageSender Sender(IServiceProvider services, string name, MessageSource source, DestinationOptions options)
    {
        var messaging = Messaging(services, name, source, options);
        var producer = new ProducerOptions { LogMessages = false, StreamMaxLength = (options as StreamOptions)?.MaxLength };
        return new MessageSender(messaging, producer, services.GetServices<IProducerObserver>(), services.GetRequiredService<TimeProvider>(), services.GetRequiredService<ILogger<MessageSender>>());
    }

    /// <summary>The one connection: the application's multiplexer when it registered one, else one made from the connection string.</summary>
    public static RedisConnection Connection(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<RedisMessagingOptions>>().Value;
        var given = services.GetService<StackExchange.Redis.IConnectionMultiplexer>();
        var connection = new RedisConnectionOptions { Multiplexer = given, ThrowOnRefusal = true };
        if (given is null && RedisAddress.TryParse(options.ConnectionString, out var parsed, out _))
        {
            connection.Options = parsed;
            connection.Address = options.ConnectionString;
        }

        return new RedisConnection(
            connection,
            new MessagingOptions { InstanceName = services.GetRequiredService<Instance>().Name },
            services.GetServices<IServerNeeds>(),
            services.GetRequiredService<IHostApplicationLifetime>(),
            services.GetRequiredService<ILoggerFactory>(),
            services.GetRequiredService<TimeProvider>());
    }
}
