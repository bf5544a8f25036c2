using Xunit.Abstractions;

namespace PubSubDemo.AotTests;

/// <summary>
/// The native binaries with the features whose code paths the plain runs do not take: TLS, partitions, stream
/// retention and message tracing together on one server, and a real Redis Cluster with sharded channels.
/// </summary>
[Collection(AotCollection.Name)]
public sealed class AotFeatureTests(AotBinaries binaries, ITestOutputHelper output)
{
    [Fact]
    public async Task Native_services_deliver_every_pattern_over_TLS_with_partitions_retention_and_tracing()
    {
        using var certificates = new TestCertificates();
        await using var server = new TlsServerProcess(certificates.AuthorityFile);
        await server.StartAsync(certificates.Server());
        output.WriteLine($"Server: redis-server over TLS on port {server.Port}");
        var environment = new Dictionary<string, string?>
        {
            ["REDIS_ADDR"] = server.Url(), ["REDIS_TLS_CA"] = certificates.AuthorityFile, ["PARTITIONS"] = "2", ["STREAM_MAXLEN"] = "1000",
            // Nothing listens there: the exporter's failures are its own, but every message is traced end to end.
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = $"http://127.0.0.1:{NativeRun.FreePort()}",
        };

        var lines = await NativeRun.DeliverAsync(binaries, output, "all", TestNames.Unique("aot-tls"), environment);

        Assert.Contains(lines, line => line.Contains($"Connected to 127.0.0.1:{server.Port} (TLS)", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.Contains("2 partitions)", StringComparison.Ordinal));
        Assert.Equal(15, lines.Count(line => line.Contains("(ID: ", StringComparison.Ordinal) && line.Contains(" trace ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Native_services_deliver_every_pattern_on_a_Redis_Cluster_with_sharded_channels()
    {
        await using var cluster = await RedisCluster.StartAsync(3);
        output.WriteLine(cluster.Description);
        var environment = new Dictionary<string, string?> { ["REDIS_ADDR"] = cluster.Nodes[0].Address, ["PUBSUB_MODE"] = "sharded", ["PARTITIONS"] = "3" };

        var lines = await NativeRun.DeliverAsync(binaries, output, "all", TestNames.Unique("aot-cluster"), environment);

        Assert.Contains(lines, line => line.Contains("Redis Cluster of", StringComparison.Ordinal) && line.Contains("pub/sub is sharded", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.Contains("3 partitions)", StringComparison.Ordinal));
    }
}
