using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

namespace PubSubDemo.Bench;

/// <summary>The benchmark's own redis-server on a free loopback port, without persistence, stopped at the end.</summary>
internal sealed class RedisServer : IBenchTarget, IAsyncDisposable
{
    private readonly Process _process;

    private RedisServer(Process process, int port, ConnectionMultiplexer connection, string version)
    {
        _process = process;
        Port = port;
        Connection = connection;
        Version = version;
    }

    public int Port { get; }

    public int Pid => _process.Id;

    public IReadOnlyList<int> Pids => [_process.Id];

    public string Address => $"127.0.0.1:{Port}";

    public string Version { get; }

    public ConnectionMultiplexer Connection { get; }

    public static async Task<RedisServer> StartAsync(string logFile)
    {
        var port = FreePort();
        var start = new ProcessStartInfo("redis-server") { UseShellExecute = false };
        foreach (var argument in new[]
        {
            "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--logfile", logFile, "--daemonize", "no",
        })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            try
            {
                var connection = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{port},allowAdmin=true,abortConnect=true,connectTimeout=1000,syncTimeout=30000,asyncTimeout=30000");
                var info = await connection.GetServer($"127.0.0.1:{port}").InfoAsync("server");
                var version = info.SelectMany(g => g).FirstOrDefault(p => p.Key == "redis_version").Value ?? "?";
                return new RedisServer(process, port, connection, version);
            }
            catch (RedisConnectionException) when (DateTime.UtcNow < deadline && !process.HasExited)
            {
                await Task.Delay(100);
            }
        }
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await Connection.CloseAsync();
        await Connection.DisposeAsync();
        await Proc.StopAsync(_process, TimeSpan.FromSeconds(10));
        _process.Dispose();
    }
}
