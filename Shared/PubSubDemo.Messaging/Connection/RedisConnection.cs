using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PubSubDemo.Messaging.Configuration;
using StackExchange.Redis;

namespace PubSubDemo.Messaging.Connection;

/// <summary>
/// The process's one multiplexer. It is created with <c>AbortOnConnectFail = false</c>, so a server that is
/// not up yet is waited for with logged retries and backoff; the services never crash on it. Once it answers,
/// <see cref="ServerProbe"/> reads what it is and can do (one line, <see cref="Server"/>), and a setting it cannot serve
/// (<see cref="ServerNeeds"/>) stops the service: one <c>error:</c> line, and exit 2 (<see cref="Refusal"/>).
/// </summary>
internal sealed partial class RedisConnection(
    RedisConnectionOptions settings,
    MessagingOptions messaging,
    IEnumerable<IServerNeeds> needs,
    IHostApplicationLifetime lifetime,
    ILoggerFactory loggerFactory,
    TimeProvider time) : IAsyncDisposable
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);
    private readonly ILogger _logger = loggerFactory.CreateLogger<RedisConnection>();
    private readonly CancellationTokenSource _disposed = new();
    private readonly Lock _gate = new();
    private Task<IConnectionMultiplexer>? _connecting;
    private IConnectionMultiplexer? _multiplexer;
    private string _lastFailure = "not connected yet";

    // Connections (endpoint and type) lost since the first connect. On a cluster the client also raises
    // ConnectionRestored when it first reaches a node it has just discovered: only a connection in here was restored.
    private readonly ConcurrentDictionary<(string EndPoint, ConnectionType Type), bool> _lost = new();

    /// <summary>Raised when a lost connection comes back, so consumers can look again for work they may have missed.</summary>
    public event Action? Restored;

    public string Endpoint => settings.Multiplexer is { } given ? string.Join(",", given.GetEndPoints().Select(RedisAddress.Format)) : RedisAddress.Describe(settings.Options);

    /// <summary>The server that answered, e.g. "DragonFly 1.34.1"; empty until connected.</summary>
    public string ServerDescription { get; private set; } = "";

    /// <summary>What the server is and can do, read once at connect; null until then.</summary>
    public ServerProfile? Server { get; private set; }

    /// <summary>Why the server cannot serve these settings (one line per setting), when it cannot; the service then exits 2.</summary>
    public IReadOnlyList<string>? Refusal { get; private set; }

    /// <summary>False once the server was refused (<see cref="Refusal"/>): nothing may use it, not even a stop's clean-up.</summary>
    public bool IsConnected => Refusal is null && _multiplexer?.IsConnected == true;

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

    /// <summary>
    /// The client's options as this connection connects with them: a second connection made from them (a
    /// <see cref="BlockingConnection"/>) reaches the same server as the same user; null when the application gave
    /// its own multiplexer, whose options are not ours to copy.
    /// </summary>
    public ConfigurationOptions? ClientOptions()
    {
        if (settings.Multiplexer is not null)
        {
            return null;
        }

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
        return options;
    }

    private async Task<IConnectionMultiplexer> ConnectAsync(CancellationToken cancellationToken)
    {
        LogConnecting(Endpoint);
        var multiplexer = settings.Multiplexer ?? await ConnectionMultiplexer.ConnectAsync(ClientOptions()!).WaitAsync(cancellationToken);
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

        var required = ServerNeeds.From(needs);
        ServerProfile? profile = null;
        await RedisErrors.RetryAsync(
            async () => profile = await ServerProbe.ReadAsync(multiplexer, required),
            (reason, pause) => LogWaiting(Endpoint, ++attempt, DurationParser.Format(pause), reason),
            time,
            cancellationToken);
        Server = profile!;
        ServerDescription = profile!.Product;
        await SubscriptionConnectedAsync(multiplexer, cancellationToken);
        LogConnected(Endpoint, ServerDescription);
        LogServer(profile.Describe());
        if (required.Refusals(profile, $"{ServerDescription} at {Endpoint}") is { Count: > 0 } refusals)
        {
            if (settings.ThrowOnRefusal)
            {
                // A library's host is the application's: every caller of the connection gets the reasons, and a
                // consumer that fails with them stops the host (BackgroundServiceExceptionBehavior.StopHost).
                Refusal = refusals;
                throw new InvalidOperationException(string.Join(Environment.NewLine, refusals));
            }

            await RefuseAsync(refusals, cancellationToken);
        }

        return multiplexer;
    }

    /// <summary>
    /// Settings this server cannot serve: each is printed as one <c>error:</c> line on standard error, as a bad setting
    /// is, and the host is stopped; <c>RunServiceAsync</c> then exits 2. The workers are never handed the connection: they
    /// wait until the host stops them as at any shutdown, so none of them fails with a stack trace of its own.
    /// </summary>
    private async Task RefuseAsync(IReadOnlyList<string> refusals, CancellationToken cancellationToken)
    {
        Refusal = refusals;
        foreach (var refusal in refusals)
        {
            await Console.Error.WriteLineAsync($"error: {refusal}");
        }

        lifetime.StopApplication();
        await Task.Delay(Timeout.InfiniteTimeSpan, time, cancellationToken);
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
    private async Task SubscriptionConnectedAsync(IConnectionMultiplexer multiplexer, CancellationToken cancellationToken)
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

    public async ValueTask DisposeAsync()
    {
        await _disposed.CancelAsync();
        // A connection the application registered is the application's to close.
        if (_multiplexer is { } multiplexer && settings.Multiplexer is null)
        {
            await multiplexer.CloseAsync();
            await multiplexer.DisposeAsync();
        }

        _disposed.Dispose();
    }
}
