using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using PubSubDemo.Messaging.Cluster;
using StackExchange.Redis;

namespace PubSubDemo.Testing;

/// <summary>
/// A real local Redis Cluster (or Valkey's, <see cref="TestServer"/>): redis-server nodes with <c>--cluster-enabled yes</c> on free loopback ports below
/// 55536 (each node's bus listens on port + 10000), joined by <c>redis-cli --cluster create</c>, and waited for
/// until every node says <c>cluster_state:ok</c> with all 16384 slots served and the client sees every primary.
/// </summary>
public sealed partial class RedisCluster : IAsyncDisposable
{
    /// <summary>Short, so that a killed primary is failed over within seconds in the tests that ask for replicas.</summary>
    public static readonly TimeSpan NodeTimeout = TimeSpan.FromMilliseconds(1000);

    private const int LowestPort = 20000;
    private const int HighestPort = 55535;

    private RedisCluster(IReadOnlyList<RedisServerProcess> nodes) => Nodes = nodes;

    /// <summary>Every node, in the order given to <c>--cluster create</c>: the primaries first, then the replicas.</summary>
    public IReadOnlyList<RedisServerProcess> Nodes { get; }

    /// <summary>Every node's address, comma-separated: a REDIS_ADDR that names the whole cluster.</summary>
    public string Address => string.Join(",", Nodes.Select(n => n.Address));

    /// <summary>A cluster-aware client for arranging and checking state.</summary>
    public ConnectionMultiplexer Client { get; private set; } = null!;

    /// <summary>How long starting, joining and waiting took.</summary>
    public TimeSpan StartupTime { get; private set; }

    /// <summary>The nodes and their slot ranges as the client sees them, for the test output.</summary>
    public string Description { get; private set; } = "";

    public static async Task<RedisCluster> StartAsync(int primaries = 3, int replicasPerPrimary = 0)
    {
        var clock = Stopwatch.StartNew();
        var redisCli = FindRedisCli();
        var count = primaries * (1 + replicasPerPrimary);
        var nodes = new List<RedisServerProcess>(count);
        var cluster = new RedisCluster(nodes);
        try
        {
            var taken = new HashSet<int>();
            while (nodes.Count < count)
            {
                nodes.Add(await StartNodeAsync(taken));
            }

            await CreateAsync(redisCli, nodes, replicasPerPrimary);
            foreach (var node in nodes)
            {
                await Wait.UntilAsync(async () => IsReady(await CommandAsync(redisCli, node.Port, "cluster", "info")), $"the cluster node on port {node.Port} reports cluster_state:ok with 16384 slots served", TimeSpan.FromSeconds(30));
            }

            // A replica that has not finished its first sync cannot take over: failover tests need every link up.
            foreach (var replica in nodes.Skip(primaries))
            {
                await Wait.UntilAsync(async () => (await CommandAsync(redisCli, replica.Port, "info", "replication")).Contains("master_link_status:up", StringComparison.Ordinal), $"the replica on port {replica.Port} is in sync with its primary", TimeSpan.FromSeconds(30));
            }

            cluster.Client = await ConnectionMultiplexer.ConnectAsync($"{cluster.Address},allowAdmin=true");
            await Wait.UntilAsync(
                () => cluster.Client.GetServers().Count(s => s.IsConnected && !s.IsReplica) == primaries && cluster.Client.GetServers().Count(s => s.IsConnected && s.IsReplica) == primaries * replicasPerPrimary,
                $"the client sees {primaries} primaries and {primaries * replicasPerPrimary} replicas");
            var shape = await ClusterShape.ReadAsync(cluster.Client) ?? throw new InvalidOperationException("the client does not see a cluster");
            cluster.StartupTime = clock.Elapsed;
            cluster.Description = $"{TestServer.Product} Cluster ({await TestServer.VersionAsync(cluster.Client.GetServers().First(s => s.IsConnected))}) of {shape.Describe()} (started in {cluster.StartupTime.TotalSeconds:0.0}s)";
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>The keys that match a glob on every primary (SCAN MATCH treats braces as plain characters).</summary>
    public async Task<IReadOnlyList<string>> KeysAsync(string pattern) =>
        (await ClusterKeys.ScanAsync(Client, pattern)).ConvertAll(k => k.ToString());

    /// <summary>The primary that serves <paramref name="key"/>'s slot.</summary>
    public EndPoint PrimaryOf(RedisKey key) =>
        Client.GetServers().First(s => s.IsConnected).ClusterConfiguration!.GetBySlot(key)!.EndPoint!;

    private static async Task<RedisServerProcess> StartNodeAsync(HashSet<int> taken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var port = FreeNodePort(taken);
            try
            {
                return await RedisServerProcess.StartAsync(port, ["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", $"{(int)NodeTimeout.TotalMilliseconds}"]);
            }
            catch (InvalidOperationException) when (attempt < 5)
            {
                // Another process took the port (or its bus port) between the check and the start: pick another.
            }
        }
    }

    private static async Task CreateAsync(string redisCli, List<RedisServerProcess> nodes, int replicasPerPrimary)
    {
        string[] arguments = ["--cluster", "create", .. nodes.Select(n => n.Address), "--cluster-replicas", $"{replicasPerPrimary}", "--cluster-yes"];
        var (exitCode, output) = await RunAsync(redisCli, arguments);
        if (exitCode != 0 || !output.Contains("All 16384 slots covered", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"{TestServer.CliProgram} --cluster create failed (exit {exitCode}):\n{output}");
        }
    }

    private static bool IsReady(string info) =>
        info.Contains("cluster_state:ok", StringComparison.Ordinal) && info.Contains("cluster_slots_ok:16384", StringComparison.Ordinal);

    private static async Task<string> CommandAsync(string redisCli, int port, params string[] command)
    {
        var (_, output) = await RunAsync(redisCli, ["-h", "127.0.0.1", "-p", $"{port}", .. command]);
        return output;
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string executable, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{executable} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (process.ExitCode, await stdout + await stderr);
    }

    private static string FindRedisCli()
    {
        if (TestServer.Kind == TestServerKind.Garnet)
        {
            throw new InvalidOperationException("The cluster tests start real cluster nodes with redis-cli --cluster create; they run on Redis and Valkey, not Garnet.");
        }

        var server = RedisServerProcess.FindExecutable() ?? throw new InvalidOperationException(
            $"No {RedisServerProcess.ProgramName} for the cluster tests: {TestServer.InstallHint}.");
        var cli = Path.Combine(Path.GetDirectoryName(server)!, TestServer.CliProgram);
        return File.Exists(cli) ? cli : throw new InvalidOperationException($"No {TestServer.CliProgram} beside {server}: {TestServer.InstallHint}.");
    }

    /// <summary>A port below 55536 that is free now, whose cluster bus port (port + 10000) is free too.</summary>
    private static int FreeNodePort(HashSet<int> taken)
    {
        for (var i = 0; i < 1000; i++)
        {
            var port = Random.Shared.Next(LowestPort, HighestPort + 1);
            if (!taken.Contains(port) && !taken.Contains(port + 10000) && IsFree(port) && IsFree(port + 10000))
            {
                taken.Add(port);
                taken.Add(port + 10000);
                return port;
            }
        }

        throw new InvalidOperationException($"No free pair of loopback ports (port, port + 10000) below {HighestPort + 1}");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Client is not null)
        {
            await Client.DisposeAsync();
        }

        foreach (var node in Nodes)
        {
            await node.DisposeAsync();
        }
    }
}
