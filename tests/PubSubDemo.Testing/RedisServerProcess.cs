using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

namespace PubSubDemo.Testing;

/// <summary>
/// A real redis-server process on a free loopback port, started and stopped by the test (valkey-server or
/// garnet-server instead with PUBSUBDEMO_TEST_SERVER, <see cref="TestServer"/>). It can be killed
/// and restarted on the same port (with append-only persistence when asked), which the fault tests need.
/// </summary>
public sealed class RedisServerProcess : IAsyncDisposable
{
    private readonly string _directory;
    private readonly bool _persistent;
    private readonly IReadOnlyList<string> _extraArguments;
    private readonly bool _lua;
    private Process? _process;

    private RedisServerProcess(int port, bool persistent, IReadOnlyList<string>? extraArguments = null, bool lua = true)
    {
        Port = port;
        _persistent = persistent;
        _extraArguments = extraArguments ?? [];
        _lua = lua;
        _directory = Directory.CreateTempSubdirectory("pubsubdemo-redis-").FullName;
    }

    /// <summary>The server's working directory (its data files, a cluster node's nodes.conf), removed on dispose.</summary>
    public string DataDirectory => _directory;

    public int Port { get; }

    public string Address => $"127.0.0.1:{Port}";

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>The server program of <see cref="TestServer.Kind"/>, or null when it is not installed.</summary>
    public static string? FindExecutable() => TestServer.Find(TestServer.ServerProgram);

    /// <summary>The program's name for messages: redis-server, valkey-server or garnet-server.</summary>
    public static string ProgramName => TestServer.ServerProgram;

    /// <summary>
    /// A server on a free port that is chosen now but not started, so that services can be pointed at it
    /// before it exists (a server that comes up after the services); call <see cref="StartAsync()"/> later.
    /// </summary>
    public static RedisServerProcess Create(bool persistent = false) => new(FreePort(), persistent);

    public static async Task<RedisServerProcess> StartAsync(bool persistent = false)
    {
        var server = new RedisServerProcess(FreePort(), persistent);
        await server.StartAsync();
        return server;
    }

    /// <summary>
    /// A server on <paramref name="port"/> with more command-line options, e.g. a cluster node's; <paramref name="lua"/>
    /// false starts Garnet without Lua (Redis and Valkey always have it).
    /// </summary>
    public static async Task<RedisServerProcess> StartAsync(int port, IReadOnlyList<string> extraArguments, bool lua = true)
    {
        var server = new RedisServerProcess(port, persistent: false, extraArguments, lua);
        await server.StartAsync();
        return server;
    }

    public async Task StartAsync()
    {
        var executable = FindExecutable() ?? throw new InvalidOperationException(
            $"No {ProgramName} for the tests ({TestServer.Variable}={TestServer.Kind.ToString().ToLowerInvariant()}): {TestServer.InstallHint}; " +
            "or start a Docker engine (DragonFly via Testcontainers), or set PUBSUBDEMO_TEST_REDIS=host:port.");
        var arguments = TestServer.BaseArguments(Port, _directory, _persistent, _lua);
        arguments.AddRange(_extraArguments);

        var start = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        arguments.ForEach(start.ArgumentList.Add);
        _process = Process.Start(start) ?? throw new InvalidOperationException($"{ProgramName} did not start");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var process = _process;
        await Wait.UntilAsync(
            async () => process.HasExited ? throw new InvalidOperationException($"{ProgramName} on port {Port} exited with code {process.ExitCode} (port taken?)") : await PingAsync(),
            $"{ProgramName} answers on port {Port}",
            TimeSpan.FromSeconds(TestServer.Kind == TestServerKind.Garnet ? 60 : 15));
    }

    /// <summary>kill -9: the server vanishes mid-flight, as in a crash.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    public async Task RestartAsync()
    {
        await KillAsync();
        await StartAsync();
    }

    private async Task<bool> PingAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray());
            var buffer = new byte[64];
            var read = await stream.ReadAsync(buffer);
            return read > 0 && System.Text.Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
