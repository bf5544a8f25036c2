using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace PubSubDemo.Testing;

/// <summary>
/// Debian's redis-server (or valkey-server, <see cref="TestServer"/>) serving TLS only (<c>--tls-port P --port 0</c>) with the given certificate, optionally
/// requiring client certificates. It can be restarted on the same port with another certificate.
/// </summary>
public sealed class TlsServerProcess(string authorityFile) : IAsyncDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("pubsubdemo-tls-redis-").FullName;
    private Process? _process;

    public int Port { get; } = RedisServerProcess.FreePort();

    /// <summary>REDIS_ADDR for it: <c>rediss://127.0.0.1:P</c>, or with another host name that resolves to loopback.</summary>
    public string Url(string host = "127.0.0.1") => $"rediss://{host}:{Port}";

    /// <summary>The lines the server printed (handshake errors are logged there).</summary>
    public ConcurrentQueue<string> Output { get; } = new();

    public async Task StartAsync(PemPair certificate, bool requireClientCertificates = false, params string[] extra)
    {
        await StopAsync();
        extra = extra.Contains("--appendonly") ? extra : ["--appendonly", "no", .. extra];
        var program = RedisServerProcess.ProgramName;
        var executable = RedisServerProcess.FindExecutable() ?? throw new InvalidOperationException($"No {program}: {TestServer.InstallHint}");
        var start = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        string[] arguments =
        [
            "--port", "0", "--tls-port", Port.ToString(), "--bind", "127.0.0.1", "--dir", _directory, "--save", "",
            "--tls-cert-file", certificate.CertificateFile, "--tls-key-file", certificate.KeyFile, "--tls-ca-cert-file", authorityFile,
            "--tls-auth-clients", requireClientCertificates ? "yes" : "no", "--protected-mode", "no", "--daemonize", "no", .. extra,
        ];
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        process.OutputDataReceived += (_, e) => Record(e.Data);
        process.ErrorDataReceived += (_, e) => Record(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        await Wait.UntilAsync(() => !process.HasExited && Output.Any(line => line.Contains("Ready to accept connections", StringComparison.Ordinal)), $"{program} serves TLS on port {Port}", TimeSpan.FromSeconds(15));
        await Wait.UntilAsync(AcceptsAsync, $"port {Port} accepts connections", TimeSpan.FromSeconds(5));
    }

    public async Task StopAsync()
    {
        if (_process is { } process)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }

            process.Dispose();
            _process = null;
        }
    }

    private void Record(string? line)
    {
        if (line is not null)
        {
            Output.Enqueue(line);
        }
    }

    private async Task<bool> AcceptsAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
