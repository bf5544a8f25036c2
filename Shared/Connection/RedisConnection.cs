using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using PubSubDemo.Shared.Cluster;
using PubSubDemo.Shared.Configuration;
using StackExchange.Redis;

namespace PubSubDemo.Shared.Connection;

/// <summary>
/// The process's one multiplexer. It is created with <c>AbortOnConnectFail = false</c>, so a server that is
/// not up yet is waited for with logged retries and backoff; the services never crash on it.
/// </summary>
public sealed partial class RedisConnection(
    RedisSettings settings,
    MessagingSettings messaging,
    ILoggerFactory loggerFactory,
    TimeProvider time) : IAsyncDisposable
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);
    private readonly ILogger _logger = loggerFactory.CreateLogger<RedisConnection>();
    private readonly CancellationTokenSource _disposed = new();
    private readonly Lock _gate = new();
    private Task<IConnectionMultiplexer>? _connecting;
    private ConnectionMultiplexer? _multiplexer;
    private string _lastFailure = "not connected yet";

    // Connections (endpoint and type) lost since the first connect. On a cluster the client also raises
    // ConnectionRestored when it first reaches a node it has just discovered: only a connection in here was restored.
    private readonly ConcurrentDictionary<(string EndPoint, ConnectionType Type), bool> _lost = new();

    /// <summary>Raised when a lost connection comes back, so consumers can look again for work they may have missed.</summary>
    public event Action? Restored;

    public string Endpoint => RedisAddress.Describe(settings.Options);

    /// <summary>The server that answered, e.g. "DragonFly 1.34.1"; empty until connected.</summary>
    public string ServerDescription { get; private set; } = "";

    public bool IsConnected => _multiplexer?.IsConnected == true;

    /// <summary>Completes once the server has answered a PING; safe to call from every worker.</summary>
    public Task<IConnectionMultiplexer> GetAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _connecting ??= ConnectAsync(_disposed.Token);
        }

        return _connecting.WaitAsync(cancellationToken);
    }

    /// <summary>Like <see cref="GetAsync"/>, but null when the service is stopping before the server answered.</summary>
    public async Task<IConnectionMultiplexer?> TryGetAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await GetAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    private async Task<IConnectionMultiplexer> ConnectAsync(CancellationToken cancellationToken)
    {
        var options = settings.Options.Clone();
        options.AbortOnConnectFail = false;
        ConnectionAccess.Restrict(options);
        options.ClientName ??= messaging.InstanceName;
        options.ConnectTimeout = Math.Min(options.ConnectTimeout, 5000);
        options.ReconnectRetryPolicy ??= new ExponentialRetry(250, (int)MaxBackoff.TotalMilliseconds);
        options.LoggerFactory ??= loggerFactory;

        // While the server is away, commands fail at once instead of waiting in the client's backlog: every
        // caller here retries with its own backoff, and a publisher's retries must not be overtaken by newer
        // commands that the backlog would send first after the reconnect.
        options.BacklogPolicy = BacklogPolicy.FailFast;

        // INFO, which names the server in the "Connected to" line, counts as an admin command in this client.
        // Nothing else here is one: the services never flush, configure or shut down the server.
        options.AllowAdmin = true;

        LogConnecting(Endpoint);
        var multiplexer = await ConnectionMultiplexer.ConnectAsync(options).WaitAsync(cancellationToken);
        _multiplexer = multiplexer;
        multiplexer.ConnectionFailed += (_, e) =>
        {
            _lastFailure = e.Exception?.GetBaseException().Message ?? e.FailureType.ToString();
            _lost[(RedisAddress.Format(e.EndPoint!), e.ConnectionType)] = true;

            // Before the first successful connect, the waiting loop below reports progress instead.
            if (ServerDescription.Length > 0)
            {
                LogConnectionLost(RedisAddress.Format(e.EndPoint!), e.ConnectionType.ToString(), e.FailureType.ToString(), e.Exception?.GetBaseException().Message ?? "");
            }
        };
        multiplexer.ConnectionRestored += (_, e) =>
        {
            if (_lost.TryRemove((RedisAddress.Format(e.EndPoint!), e.ConnectionType), out bool _))
            {
                LogConnectionRestored(RedisAddress.Format(e.EndPoint!), e.ConnectionType.ToString());
                Restored?.Invoke();
            }
        };

        var attempt = 0;
        var retry = new ServerRetry(ServerRetry.DefaultFloor, MaxBackoff, time);
        await retry.RetryWhileFailingAsync(
            async _ =>
            {
                attempt++;
                if (!multiplexer.IsConnected)
                {
                    return settings.CertificateCheck?.CurrentRejection ?? _lastFailure;
                }

                try
                {
                    await multiplexer.GetDatabase().PingAsync();
                    return null;
                }
                catch (Exception ex) when (ex is RedisException or TimeoutException)
                {
                    return ex.GetBaseException().Message;
                }
            },
            (reason, pause) => LogWaiting(Endpoint, attempt, DurationParser.Format(pause), reason),
            cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();

        ServerDescription = await DescribeServerAsync(multiplexer);
        await SubscriptionConnectedAsync(multiplexer, cancellationToken);
        LogConnected(Endpoint, ServerDescription);
        await ShardedPubSub.EnsureAvailableAsync(multiplexer, messaging, $"{ServerDescription} at {Endpoint}", _logger);
        return multiplexer;
    }

    /// <summary>
    /// The client opens the subscription connection beside the interactive one, and with no configuration channel to
    /// subscribe (<see cref="ConnectionAccess"/>) its connect no longer waits for it: a SUBSCRIBE sent a few
    /// milliseconds early fails at once (commands fail fast here), and the consumer's retry then waits 250 ms, most of
    /// a subscriber's start. So the first connect waits for that connection too, briefly: a server that refuses it
    /// is the consumers' to report, with their own retries. Not on a cluster: a channel subscribed there before the
    /// client knows which node owns its slot is subscribed again on the owner once it does, without leaving the first
    /// node (measured: the bench's 3 subscribers counted 6 times, and classic PUBLISH would deliver twice); there the
    /// consumers' first retry comes after the client has learned the slots.
    /// </summary>
    private async Task SubscriptionConnectedAsync(ConnectionMultiplexer multiplexer, CancellationToken cancellationToken)
    {
        if (multiplexer.GetServers().Any(server => server.ServerType == ServerType.Cluster))
        {
            return;
        }

        var subscriber = multiplexer.GetSubscriber();
        for (var wait = 0; wait < 250 && !subscriber.IsConnected(); wait++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(2), time, cancellationToken);
        }
    }

    /// <summary>Names the server product from INFO .</summary>
    private static async Task<string> DescribeServerAsync(ConnectionMultiplexer multiplexer)
    {
        try
        {
            var server = multiplexer.GetServers().First(s => s.IsConnected);
            var text = await server.InfoRawAsync("server") ?? "";
            var info = text.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Select(line => line.Split(':', 2))
                .Where(pair => pair.Length == 2)
                .GroupBy(pair => pair[0])
                .ToDictionary(g => g.Key, g => g.First()[1]);
            if (info.TryGetValue("dragonfly_version", out var dragonfly))
            {
                return $"DragonFly {dragonfly.TrimStart('d', 'f', '-', 'v')}";
            }

            if (info.TryGetValue("valkey_version", out var valkey))
            {
                return $"Valkey {valkey}";
            }

            return info.TryGetValue("redis_version", out var redis) ? $"Redis {redis}" : "unknown server";
        }
        catch (Exception ex)
        {
            return $"unknown server: {ex.GetBaseException().Message}";
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _disposed.CancelAsync();
        if (_multiplexer is { } multiplexer)
        {
            await multiplexer.CloseAsync();
            await multiplexer.DisposeAsync();
        }

        _disposed.Dispose();
    }

    [LoggerMessage(1001, LogLevel.Information, "Connecting to {Endpoint}")]
    private partial void LogConnecting(string endpoint);

    [LoggerMessage(1002, LogLevel.Information, "Connected to {Endpoint} ({Server})")]
    private partial void LogConnected(string endpoint, string server);

    [LoggerMessage(1003, LogLevel.Warning, "Waiting for the server at {Endpoint}: attempt {Attempt}, next in {Backoff}: {Reason}")]
    private partial void LogWaiting(string endpoint, int attempt, string backoff, string reason);

    [LoggerMessage(1004, LogLevel.Warning, "Lost the {ConnectionType} connection to {Endpoint} ({FailureType}): {Reason}; reconnecting with backoff")]
    private partial void LogConnectionLost(string endpoint, string connectionType, string failureType, string reason);

    [LoggerMessage(1005, LogLevel.Information, "Reconnected the {ConnectionType} connection to {Endpoint}")]
    private partial void LogConnectionRestored(string endpoint, string connectionType);
}
