using System.Diagnostics;
using System.Reflection;
using PubSubDemo.Shared.Configuration;
using PubSubDemo.Messaging.Configuration;

namespace PubSubDemo.Bench;

/// <summary>
/// A publisher or subscriber started from its Native AOT binary or its Release build's dll, as a user would run it: its own process, settings in
/// environment variables, logs in a file (not a pipe the benchmark would have to drain), stopped with SIGTERM.
/// </summary>
internal sealed class ServiceProcess : IAsyncDisposable
{
    /// <summary>Every variable the services read, cleared first so the caller's shell cannot change a run.</summary>
    private static readonly string[] ServiceVariables =
    [
        .. typeof(EnvironmentNames).GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!),
        "STATS_FILE", "STATS_WARMUP", "METRICS_PORT", "STALL_TIMEOUT", "MONITOR_REPORT", "OTEL_EXPORTER_OTLP_ENDPOINT",
    ];

    private readonly Process _process;

    private ServiceProcess(Process process, string role, string logFile, string statsFile)
    {
        _process = process;
        Role = role;
        LogFile = logFile;
        StatsFile = statsFile;
    }

    public string Role { get; }

    public int Pid => _process.Id;

    public string LogFile { get; }

    public string StatsFile { get; }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public static ServiceProcess Start(string dll, string role, string folder, IReadOnlyDictionary<string, string> environment)
    {
        var logFile = Path.Combine(folder, $"{role}.log");
        var statsFile = Path.Combine(folder, $"{role}.json");
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        var command = ServicePrograms.IsDll(dll) ? "exec dotnet \"$1\" > \"$2\" 2>&1" : "exec \"$1\" > \"$2\" 2>&1";
        foreach (var argument in new[] { "-c", command, "sh", dll, logFile })
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var name in ServiceVariables)
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        start.Environment["STATS_FILE"] = statsFile;
        return new ServiceProcess(Process.Start(start) ?? throw new InvalidOperationException($"{role} did not start"), role, logFile, statsFile);
    }

    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>SIGTERM and a wait for the final summary; the services finish within their 15 s shutdown budget.</summary>
    public Task StopAsync() => Proc.StopAsync(_process, TimeSpan.FromSeconds(20));

    /// <summary>The last lines of the log, for a failure message.</summary>
    public string Tail(int lines = 8)
    {
        try
        {
            return string.Join('\n', File.ReadLines(LogFile).TakeLast(lines));
        }
        catch (IOException)
        {
            return "";
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            await StopAsync();
        }

        _process.Dispose();
    }
}
