using System.Diagnostics;
using System.Globalization;
using PubSubDemo.Messaging.Cluster;
using StackExchange.Redis;

namespace PubSubDemo.Bench;

/// <summary>
/// The benchmark's own local Redis Cluster: three redis-server nodes with <c>--cluster-enabled yes</c> (no replicas,
/// no persistence) on free loopback ports below 55536 (each node's bus listens on port + 10000), joined by
/// <c>redis-cli --cluster create</c>, waited for until the client sees every primary, stopped at the end.
/// </summary>
internal sealed class RedisClusterNodes : IBenchTarget, IAsyncDisposable
{
    private readonly List<(Process Process, int Port)> _nodes;

    private RedisClusterNodes(List<(Process Process, int Port)> nodes) => _nodes = nodes;

    public string Address => $"127.0.0.1:{_nodes[0].Port}";

    public ConnectionMultiplexer Connection { get; private set; } = null!;

    public IReadOnlyList<int> Pids => _nodes.ConvertAll(n => n.Process.Id);

    /// <summary>The primaries and their slots, as the services log them.</summary>
    public string Shape { get; private set; } = "";

    public static async Task<RedisClusterNodes> StartAsync(string folder, int count)
    {
        var cluster = new RedisClusterNodes([]);
        try
        {
            while (cluster._nodes.Count < count)
            {
                cluster._nodes.Add(await StartNodeAsync(folder));
            }

            var addresses = cluster._nodes.Select(n => $"127.0.0.1:{n.Port}").ToList();
            var (exitCode, output) = await RedisCliAsync(["--cluster", "create", .. addresses, "--cluster-replicas", "0", "--cluster-yes"]);
            if (exitCode != 0 || !output.Contains("All 16384 slots covered", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"redis-cli --cluster create failed (exit {exitCode}):\n{output}");
            }

            foreach (var (_, port) in cluster._nodes)
            {
                await Wait.UntilAsync(async () => (await RedisCliAsync(["-p", $"{port}", "cluster", "info"])).Output.Contains("cluster_state:ok", StringComparison.Ordinal), TimeSpan.FromSeconds(30), $"cluster node {port} to say cluster_state:ok");
            }

            cluster.Connection = await ConnectionMultiplexer.ConnectAsync($"{string.Join(',', addresses)},allowAdmin=true,syncTimeout=30000,asyncTimeout=30000");
            await Wait.UntilAsync(() => Task.FromResult(cluster.Connection.GetServers().Count(s => s.IsConnected && !s.IsReplica) == count), TimeSpan.FromSeconds(10), $"the client to see {count} primaries");
            cluster.Shape = (await ClusterShape.ReadAsync(cluster.Connection))?.Describe() ?? "?";
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    private static async Task<(int ExitCode, string Output)> RedisCliAsync(IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo("redis-cli") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("redis-cli did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>
    /// A node on a free port below 55536. Its bus port (port + 10000) is not checked beforehand: redis-server exits when
    /// it cannot bind it, and then another port is tried.
    /// </summary>
    private static async Task<(Process Process, int Port)> StartNodeAsync(string folder)
    {
        for (var attempt = 1; ; attempt++)
        {
            var port = RedisServer.FreePort();
            if (port >= 55536)
            {
                continue;
            }

            var directory = Directory.CreateDirectory(Path.Combine(folder, $"node-{port}")).FullName;
            var start = new ProcessStartInfo("redis-server") { UseShellExecute = false };
            foreach (var argument in new[]
            {
                "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", directory,
                "--save", "", "--appendonly", "no", "--logfile", Path.Combine(directory, "redis-server.log"), "--daemonize", "no",
                "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
            })
            {
                start.ArgumentList.Add(argument);
            }

            var process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start");
            try
            {
                await Wait.UntilAsync(async () => process.HasExited || (await RedisCliAsync(["-p", $"{port}", "ping"])).Output.Contains("PONG", StringComparison.Ordinal), TimeSpan.FromSeconds(10), $"the cluster node on port {port} to answer");
            }
            catch (TimeoutException)
            {
                process.Kill();
                process.Dispose();
                throw;
            }

            if (!process.HasExited)
            {
                return (process, port);
            }

            process.Dispose();
            if (attempt == 5)
            {
                throw new InvalidOperationException($"no cluster node would start (the last on port {port}): see {directory}/redis-server.log");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Connection is not null)
        {
            await Connection.DisposeAsync();
        }

        foreach (var (process, _) in _nodes)
        {
            await Proc.StopAsync(process, TimeSpan.FromSeconds(10));
            process.Dispose();
        }
    }
}
