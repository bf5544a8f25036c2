using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using PubSubDemo.Shared.Connection;
using PubSubDemo.Messaging.Connection;
using PubSubDemo.Shared.Contract;
using PubSubDemo.Messaging.Contract;
using PubSubDemo.Shared.Hosting;
using PubSubDemo.Shared.Observability;
using PubSubDemo.Messaging.Observability;
using PubSubDemo.Subscriber;
using PubSubDemo.Subscriber.Observability;
using PubSubDemo.Messaging.Processing;
using Xunit.Abstractions;

namespace PubSubDemo.MonitorTests;

/// <summary>/health/live fails when a loop stalls, not merely when the process is gone.</summary>
[Collection(ServerCollection.Name)]
public sealed class LivenessTests(RedisServerFixture server, ITestOutputHelper output)
{
    [Fact]
    public async Task Liveness_turns_unhealthy_while_the_queue_loop_is_stuck_in_a_handler_and_recovers_after()
    {
        output.WriteLine($"Server: {server.Kind}");
        var port = RedisServerProcess.FreePort();
        var queue = TestNames.Unique("queue");
        var handler = new GateHandler();
        var log = new CapturedLog();
        await using var host = new HostHandle(BuildSubscriber(new Dictionary<string, string?>
        {
            ["REDIS_ADDR"] = server.Address,
            ["PATTERN"] = "queue",
            ["QUEUE"] = queue,
            ["METRICS_PORT"] = port.ToString(),
            ["STALL_TIMEOUT"] = "1s",
            ["IDLE_POLL"] = "100ms",
            ["LOG_MESSAGES"] = "false",
        }, handler, log));
        await host.Host.StartAsync();
        await Wait.UntilAsync(() => log.Contains($"Consuming queue '{queue}'"), "the queue consumer starts");
        await MetricsEndpointTests.WaitForStatusAsync(port, "/health/live", HttpStatusCode.OK);

        await server.Database.ListRightPushAsync(queue, MessageReader.Write(new Message("stall-1", "hangs the handler", DateTimeOffset.UtcNow)));
        await handler.Entered.WaitAsync(Wait.Default);

        // Both signs of the stall: the handler call that does not return, and the loop that does not come round.
        var body = "";
        await Wait.UntilAsync(async () =>
        {
            (var status, body) = await GetAsync(port, "/health/live");
            return status == HttpStatusCode.ServiceUnavailable
                && body.Contains("the queue handler has been running", StringComparison.Ordinal)
                && body.Contains("QueueConsumer has not come round", StringComparison.Ordinal);
        }, "/health/live answers 503 and names the stuck handler and the stalled queue loop", TimeSpan.FromSeconds(15));
        output.WriteLine(body);

        // Readiness is about the server, which is fine: an orchestrator restarts the process, it does not route around it.
        await MetricsEndpointTests.WaitForStatusAsync(port, "/health/ready", HttpStatusCode.OK);

        handler.Release();
        await MetricsEndpointTests.WaitForStatusAsync(port, "/health/live", HttpStatusCode.OK, TimeSpan.FromSeconds(15));
    }

    [Fact]
    public void Heartbeat_reports_each_loop_silence_separately()
    {
        var time = new FakeTimeProvider();
        var heartbeat = new LoopHeartbeat(time);
        heartbeat.Beat("first");
        time.Advance(TimeSpan.FromSeconds(3));
        heartbeat.Beat("second");
        time.Advance(TimeSpan.FromSeconds(2));

        var beats = heartbeat.Read().ToDictionary(b => b.Name, b => b.Silence);
        Assert.Equal(TimeSpan.FromSeconds(5), beats["first"]);
        Assert.Equal(TimeSpan.FromSeconds(2), beats["second"]);

        heartbeat.Beat("first");
        Assert.Equal(TimeSpan.Zero, heartbeat.Read().Single(b => b.Name == "first").Silence);
    }

    /// <summary>The subscriber composed as its Program.cs does, with a handler the test controls.</summary>
    private static IHost BuildSubscriber(Dictionary<string, string?> settings, IMessageHandler handler, CapturedLog log)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Test" });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddServiceDefaults();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(log);
        builder.Services.AddSingleton(handler);
        builder.AddRedis();
        builder.AddSubscriber();
        builder.AddSubscriberObservability();
        return builder.Build();
    }

    private static async Task<(HttpStatusCode Status, string Body)> GetAsync(int port, string path)
    {
        using var http = new HttpClient();
        using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{port}{path}"));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>A handler that does not return until the test lets it: a loop stuck in user code.</summary>
    private sealed class GateHandler : IMessageHandler
    {
        private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Entered => _entered.Task;

        public void Release() => _release.TrySetResult();

        public async ValueTask HandleAsync(ReceivedMessage message, CancellationToken cancellationToken)
        {
            _entered.TrySetResult();
            await _release.Task;
        }
    }

    private sealed class HostHandle(IHost host) : IAsyncDisposable
    {
        public IHost Host => host;

        public async ValueTask DisposeAsync()
        {
            await host.StopAsync();
            host.Dispose();
        }
    }
}
