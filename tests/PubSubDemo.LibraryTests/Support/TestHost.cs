using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PubSubDemo.Messaging;
using Xunit.Abstractions;

namespace PubSubDemo.LibraryTests;

/// <summary>
/// A generic host built as an application builds one, with the library registered through its public API only: no
/// environment variables and no appsettings (<c>DisableDefaults</c>), its log in the test output. Disposing stops it.
/// </summary>
public sealed class TestHost : IAsyncDisposable
{
    private readonly IHost _host;
    private bool _abandoned;
    private bool _started;

    private TestHost(IHost host) => _host = host;

    public IServiceProvider Services => _host.Services;

    public MessagingReadiness Readiness => Services.GetRequiredService<MessagingReadiness>();

    public IMessageProducer<T> Producer<T>(string name) => Services.GetRequiredKeyedService<IMessageProducer<T>>(name);

    public static TestHost Build(ITestOutputHelper output, Action<IServiceCollection> configure, string? logName = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.AddProvider(new TestOutputLog(output, logName ?? "host"));
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
        configure(builder.Services);
        return new TestHost(builder.Build());
    }

    /// <summary>Builds and starts the host, then waits (with a deadline) until every consumer it registered is consuming.</summary>
    public static async Task<TestHost> StartAsync(ITestOutputHelper output, Action<IServiceCollection> configure, string? logName = null)
    {
        var host = Build(output, configure, logName);
        try
        {
            await host.StartAsync();
            await host.WaitReadyAsync();
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    public async Task StartAsync()
    {
        using var deadline = new CancellationTokenSource(Wait.Default);
        await _host.StartAsync(deadline.Token);
        _started = true;
    }

    public async Task WaitReadyAsync()
    {
        try
        {
            await Readiness.WaitAsync().WaitAsync(Wait.Default);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Timed out after {Wait.Default.TotalSeconds:0}s waiting until every consumer is consuming; waiting: {string.Join(", ", Readiness.Waiting)}");
        }
    }

    public async Task StopAsync()
    {
        using var deadline = new CancellationTokenSource(Wait.Default);
        await _host.StopAsync(deadline.Token);
    }

    /// <summary>Leaves the host as a killed process leaves it: never stopped, so nothing it holds on the server is settled.</summary>
    public void Abandon() => _abandoned = true;

    public async ValueTask DisposeAsync()
    {
        // A host whose start failed (options validation) is not stopped: Host.StopAsync would throw on it.
        if (_started && !_abandoned)
        {
            try
            {
                await StopAsync();
            }
            catch (OperationCanceledException)
            {
            }
        }

        if (_host is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }
        else
        {
            _host.Dispose();
        }
    }

    /// <summary>The host's log lines (Information and up) in the test output, each prefixed with the host's name.</summary>
    private sealed class TestOutputLog(ITestOutputHelper output, string name) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(output, name, categoryName[(categoryName.LastIndexOf('.') + 1)..]);

        public void Dispose()
        {
        }

        private sealed class Logger(ITestOutputHelper output, string name, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                try
                {
                    output.WriteLine($"[{name}] {logLevel} {category}: {formatter(state, exception)}{(exception is null ? "" : $" ({exception.GetType().Name}: {exception.Message})")}");
                }
                catch (InvalidOperationException)
                {
                    // The test has finished: its output is closed.
                }
            }
        }
    }
}
