using Microsoft.Extensions.DependencyInjection;
using PubSubDemo.Messaging;
using Xunit.Abstractions;

namespace PubSubDemo.LibraryTests;

/// <summary>A registration the server cannot serve is refused when the connection is made, with the registration and the fix named.</summary>
public sealed class ServerNeedsTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_stream_on_a_server_without_streams_fails_its_producer_with_the_registration_and_the_fix()
    {
        // Redis and Valkey with the stream commands renamed away; Garnet has none.
        string[] renamed = TestServer.Kind == TestServerKind.Garnet ? [] : ["--rename-command", "XADD", "", "--rename-command", "XREADGROUP", ""];
        await using var server = await RedisServerProcess.StartAsync(RedisServerProcess.FreePort(), renamed);
        output.WriteLine($"Server: {RedisServerProcess.ProgramName} on port {server.Port}, without streams");
        var stream = TestNames.Unique("events");
        await using var host = TestHost.Build(output, s => s.AddRedisMessaging(o => o.ConnectionString = server.Address).AddStream<Order>(stream, TestJson.Default.Order));
        await host.StartAsync();

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => host.Producer<Order>(stream).SendAsync(new Order("o-1", 1m)).WaitAsync(TimeSpan.FromSeconds(30)));
        output.WriteLine(refused.Message);
        Assert.StartsWith($"stream '{stream}' needs streams (XADD and XREADGROUP), which ", refused.Message, StringComparison.Ordinal);
        Assert.EndsWith("use a queue or a channel on this server", refused.Message, StringComparison.Ordinal);
    }
}
