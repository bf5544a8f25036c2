using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PubSubDemo.Publisher;
using PubSubDemo.Shared.Configuration;
using PubSubDemo.Messaging.Configuration;
using PubSubDemo.Shared.Connection;
using PubSubDemo.Messaging.Connection;
using PubSubDemo.Shared.Hosting;
using PubSubDemo.Subscriber;
using PubSubDemo.Messaging.Processing;
using PubSubDemo.Subscriber.Figures;

namespace PubSubDemo.Testing;

/// <summary>
/// The real publisher or subscriber host, composed exactly as its Program.cs does, in this process:
/// settings come from a dictionary instead of environment variables, logs go to a <see cref="CapturedLog"/>.
/// </summary>
internal sealed class ServiceHost : IAsyncDisposable
{
    private readonly IHost _host;
    private bool _stopped;

    private ServiceHost(IHost host, CapturedLog log)
    {
        _host = host;
        Log = log;
    }

    public CapturedLog Log { get; }

    public IServiceProvider Services => _host.Services;

    public T Get<T>()
        where T : notnull => _host.Services.GetRequiredService<T>();

    public static ServiceHost Subscriber(string address, IDictionary<string, string?> settings, IMessageHandler? handler = null) =>
        Build(address, settings, builder =>
        {
            if (handler is not null)
            {
                builder.Services.AddSingleton(handler);
            }

            builder.AddSubscriber();
        });

    public static ServiceHost Publisher(string address, IDictionary<string, string?> settings) =>
        Build(address, settings, builder => builder.AddPublisher());

    /// <summary>The subscriber's telemetry: counts, latency and sequences per source.</summary>
    public SubscriberFigures SubscriberStats => Get<SubscriberFigures>();

    private static ServiceHost Build(string address, IDictionary<string, string?> settings, Action<HostApplicationBuilder> add)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Test" });
        var values = new Dictionary<string, string?>(settings, StringComparer.OrdinalIgnoreCase) { ["REDIS_ADDR"] = address };
        values.TryAdd("LOG_MESSAGES", "false");
        values.TryAdd("SUMMARY_INTERVAL", "1s");
        builder.Configuration.AddInMemoryCollection(values);
        builder.AddServiceDefaults();
        var log = new CapturedLog();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(log);
        builder.AddRedis();
        add(builder);
        return new ServiceHost(builder.Build(), log);
    }

    public async Task<ServiceHost> StartAsync()
    {
        await _host.StartAsync();
        return this;
    }

    /// <summary>Waits until the service has connected and its workers are running.</summary>
    public async Task<ServiceHost> StartAndWaitConnectedAsync()
    {
        await StartAsync();
        await Get<RedisConnection>().GetAsync(CancellationToken.None).WaitAsync(Wait.Default);
        return this;
    }

    /// <summary>Waits until the service has connected and every consumer PATTERN asks for is subscribed or consuming.</summary>
    public async Task<ServiceHost> StartAndWaitConsumingAsync(TimeSpan? timeout = null)
    {
        await StartAndWaitConnectedAsync();
        await WaitUntilConsumingAsync(timeout);
        return this;
    }

    /// <summary>
    /// Waits for each consumer's "ready" line: after it, a message published to the channel reaches this
    /// subscriber (pub/sub keeps nothing for a subscriber that is not there yet).
    /// </summary>
    public async Task WaitUntilConsumingAsync(TimeSpan? timeout = null)
    {
        var messaging = Get<MessagingSettings>();
        if (messaging.Uses(Pattern.PubSub))
        {
            foreach (var entry in messaging.Channels)
            {
                await WaitForLogAsync(MessagingSettings.IsGlob(entry) ? $"Subscribed to pattern '{entry}'" : $"Subscribed to channel '{entry}'", timeout);
            }
        }

        if (messaging.Uses(Pattern.Queue))
        {
            await WaitForLogAsync($"Consuming queue '{messaging.Queue}'", timeout);
        }

        if (messaging.Uses(Pattern.Stream))
        {
            await WaitForLogAsync($"Consuming stream '{messaging.Stream}'", timeout);
        }
    }

    /// <summary>Waits until a log line contains <paramref name="text"/>.</summary>
    public Task WaitForLogAsync(string text, TimeSpan? timeout = null) =>
        Wait.UntilAsync(() => Log.Contains(text), $"the host logs \"{text}\"", timeout);

    /// <summary>What SIGTERM does: the host's graceful stop.</summary>
    public async Task StopAsync()
    {
        if (!_stopped)
        {
            _stopped = true;
            await _host.StopAsync();
        }
    }

    /// <summary>
    /// Completes when the host stops by itself (the publisher after MESSAGE_COUNT). As in the real process
    /// (RunServiceAsync), a stop the service asks for is followed by the host's graceful stop.
    /// </summary>
    public async Task WaitForShutdownAsync(TimeSpan timeout)
    {
        var lifetime = _host.Services.GetRequiredService<IHostApplicationLifetime>();
        await lifetime.ApplicationStopping.WaitHandle.WaitOneAsync(timeout);
        await StopAsync();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        finally
        {
            _host.Dispose();
        }
    }
}

public static class WaitHandleExtensions
{
    public static Task WaitOneAsync(this WaitHandle handle, TimeSpan timeout)
    {
        var completion = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var registration = ThreadPool.RegisterWaitForSingleObject(handle, (_, timedOut) =>
        {
            if (timedOut)
            {
                completion.TrySetException(new TimeoutException($"The host did not stop within {timeout.TotalSeconds:0}s"));
            }
            else
            {
                completion.TrySetResult();
            }
        }, null, timeout, executeOnlyOnce: true);
        _ = completion.Task.ContinueWith(_ => registration.Unregister(null), TaskScheduler.Default);
        return completion.Task;
    }
}
