using PubSubDemo.Shared.Contract;
using PubSubDemo.Messaging.Contract;
using Xunit.Abstractions;

namespace PubSubDemo.TrustTests;

/// <summary>The services over TLS: redis-server with --tls-port and no plain port, certificates made by the test.</summary>
public sealed class TlsTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Publisher_subscriber_and_monitor_run_every_pattern_over_TLS(bool clientCertificate)
    {
        output.WriteLine($"Server: {RedisServerProcess.ProgramName} serving TLS only, started by the test");
        using var certificates = new TestCertificates();
        await using var server = new TlsServerProcess(certificates.AuthorityFile);
        await server.StartAsync(certificates.Server(), requireClientCertificates: clientCertificate);
        var settings = Names("all");
        settings["REDIS_TLS_CA"] = certificates.AuthorityFile;
        if (clientCertificate)
        {
            var client = certificates.Client();
            settings["REDIS_TLS_CERT"] = client.CertificateFile;
            settings["REDIS_TLS_KEY"] = client.KeyFile;
        }

        await using var monitor = ServiceProcess.Start("Monitor", new Dictionary<string, string?>(settings) { ["REDIS_ADDR"] = server.Url("localhost"), ["MONITOR_PORT"] = "0" });
        await using var subscriber = await ServiceHost.Subscriber(server.Url(), settings).StartAndWaitConsumingAsync();
        await using var publisher = await ServiceHost.Publisher(server.Url(), new Dictionary<string, string?>(settings) { ["MESSAGE_COUNT"] = "20", ["PUBLISH_INTERVAL"] = "10ms" }).StartAsync();

        var stats = subscriber.SubscriberStats;
        await Wait.UntilAsync(() => stats.Channel.Handled == 20 && stats.Queue.Handled == 20 && stats.Stream.Handled == 20, "20 messages handled from the channel, the queue and the stream over TLS");
        Assert.Contains(subscriber.Log.Lines, line => line.Contains($"Connected to 127.0.0.1:{server.Port} (TLS)", StringComparison.Ordinal));
        Assert.Equal(0, stats.All.Sum(s => s.Malformed + s.Failed));
        await monitor.WaitForOutputAsync($"Connected to localhost:{server.Port} (TLS)", TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task A_client_certificate_the_server_requires_but_does_not_get_leaves_the_service_waiting()
    {
        output.WriteLine($"Server: {RedisServerProcess.ProgramName} serving TLS only, started by the test");
        using var certificates = new TestCertificates();
        await using var server = new TlsServerProcess(certificates.AuthorityFile);
        await server.StartAsync(certificates.Server(), requireClientCertificates: true);
        var settings = Names("queue");
        settings["REDIS_TLS_CA"] = certificates.AuthorityFile;

        await using var subscriber = await ServiceHost.Subscriber(server.Url(), settings).StartAsync();

        await Wait.UntilAsync(() => subscriber.Log.Lines.Count(l => l.Contains("Waiting for the server at", StringComparison.Ordinal)) >= 2, "two waiting lines");
        Assert.False(subscriber.Get<PubSubDemo.Messaging.Connection.RedisConnection>().IsConnected);
    }

    [Fact]
    public async Task A_server_certificate_from_another_CA_is_reported_at_every_retry_until_the_server_is_fixed()
    {
        output.WriteLine($"Server: {RedisServerProcess.ProgramName} serving TLS only, started by the test");
        using var trusted = new TestCertificates("Trusted CA");
        using var other = new TestCertificates("Other CA");
        await using var server = new TlsServerProcess(other.AuthorityFile);
        // Persistent, so the message pushed while the certificate is wrong is still there after the fix.
        string[] persistent = ["--appendonly", "yes", "--appendfsync", "always"];
        await server.StartAsync(other.Server(), false, persistent);
        var settings = Names("queue");
        settings["REDIS_TLS_CA"] = trusted.AuthorityFile;
        await using var subscriber = await ServiceHost.Subscriber(server.Url(), settings).StartAsync();
        await using (var admin = await TlsClient.ConnectAsync(server, other.AuthorityFile))
        {
            await admin.GetDatabase().ListRightPushAsync(settings["QUEUE"], MessageReader.Write(new Message("tls-1", "waits for a good certificate", DateTimeOffset.UtcNow)));
        }

        const string Reason = "the server's certificate is not trusted: unknown CA: 'CN=pubsubdemo-server-1' is issued by 'CN=Other CA', not by REDIS_TLS_CA ('CN=Trusted CA')";
        await Wait.UntilAsync(() => WaitingLines(subscriber).Count(l => l.EndsWith(Reason, StringComparison.Ordinal)) >= 3, "three waiting lines that name the unknown CA");
        Write(subscriber);
        // From the first refusal on, every retry says why (before it, the first handshake has not completed yet).
        Assert.All(WaitingLines(subscriber).SkipWhile(l => !l.EndsWith(Reason, StringComparison.Ordinal)), line => Assert.EndsWith(Reason, line));
        Assert.Equal(0, subscriber.SubscriberStats.Queue.Received);

        await server.StartAsync(trusted.Server(), false, persistent);
        await Wait.UntilAsync(() => subscriber.SubscriberStats.Queue.Handled == 1, "the message handled once the server presents a trusted certificate", TimeSpan.FromSeconds(30));
    }

    [Theory]
    [InlineData("expired", "the server's certificate is not trusted: expired: 'CN=pubsubdemo-server-1' was valid until ")]
    [InlineData("wrong host", "the server's certificate is not trusted: wrong host name: it is for 'cache.example.com', not '127.0.0.1'")]
    public async Task A_certificate_that_does_not_verify_is_reported_with_its_reason(string fault, string reason)
    {
        output.WriteLine($"Server: {RedisServerProcess.ProgramName} serving TLS only, started by the test");
        using var certificates = new TestCertificates();
        await using var server = new TlsServerProcess(certificates.AuthorityFile);
        await server.StartAsync(fault == "expired" ? certificates.Server(expired: true) : certificates.Server(["cache.example.com"]));
        var settings = Names("queue");
        settings["REDIS_TLS_CA"] = certificates.AuthorityFile;

        await using var subscriber = await ServiceHost.Subscriber(server.Url(), settings).StartAsync();

        try
        {
            await Wait.UntilAsync(() => WaitingLines(subscriber).Count(l => l.Contains(reason, StringComparison.Ordinal)) >= 2, $"two waiting lines that say: {reason}");
        }
        finally
        {
            Write(subscriber);
        }

        Assert.False(subscriber.Get<PubSubDemo.Messaging.Connection.RedisConnection>().IsConnected);
    }

    private static Dictionary<string, string?> Names(string pattern) => new()
    {
        ["PATTERN"] = pattern,
        ["CHANNEL"] = TestNames.Unique("tls"),
        ["QUEUE"] = TestNames.Unique("tls"),
        ["STREAM"] = TestNames.Unique("tls"),
        ["MONITOR_REPORT"] = "false",
    };

    private static List<string> WaitingLines(ServiceHost host) =>
        host.Log.Lines.Where(l => l.Contains("Waiting for the server at", StringComparison.Ordinal)).ToList();

    private void Write(ServiceHost host)
    {
        foreach (var line in host.Log.Lines.Take(12))
        {
            output.WriteLine(line);
        }
    }
}
