using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using PubSubDemo.Shared.Configuration;
using PubSubDemo.Messaging.Configuration;

namespace PubSubDemo.Testing;

/// <summary>
/// The publisher or subscriber as a real operating-system process, as users and containers run it:
/// environment variables in, stdout and stderr lines out, SIGTERM and kill -9 as the signals.
/// </summary>
public sealed partial class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly ConcurrentQueue<string> _errors = new();

    private ServiceProcess(Process process)
    {
        _process = process;
    }

    /// <summary>Every line the process wrote, standard output and standard error interleaved.</summary>
    public IReadOnlyCollection<string> Output => _output;

    /// <summary>The lines the process wrote to standard error only, where the services print bad settings.</summary>
    public IReadOnlyCollection<string> ErrorOutput => _errors;

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public static ServiceProcess Start(string service, IDictionary<string, string?> environment) =>
        StartExecutable("dotnet", environment, FindServiceDll(service));

    /// <summary>A program with <paramref name="arguments"/>, e.g. a Native AOT service binary, under the same rules as <see cref="Start"/>.</summary>
    public static ServiceProcess StartExecutable(string executable, IDictionary<string, string?> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // Only what the test gives: a setting left in the runner's environment must not change the outcome.
        foreach (var name in ServiceSettingNames)
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"{executable} did not start");
        var result = new ServiceProcess(process);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                result._output.Enqueue(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                result._output.Enqueue(e.Data);
                result._errors.Enqueue(e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return result;
    }

    /// <summary>Every variable the services and the monitor read (EnvironmentNames, the one catalogue), plus the .NET ones that would change its logging.</summary>
    private static IEnumerable<string> ServiceSettingNames =>
        typeof(EnvironmentNames).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!)
            .Append("DOTNET_ENVIRONMENT")
            .Append("Logging__LogLevel__Default");

    /// <summary>The service's built dll, next to this test assembly's build configuration.</summary>
    public static string FindServiceDll(string service)
    {
        var configuration = typeof(ServiceProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var dll = Path.Combine(Repository.Root, service, "bin", configuration, "net10.0", $"PubSubDemo.{service}.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"Build {service} first ({configuration})", dll);
    }

    public bool Printed(string text) => _output.Any(line => line.Contains(text, StringComparison.Ordinal));

    public Task WaitForOutputAsync(string text, TimeSpan? timeout = null) =>
        Wait.UntilAsync(() => Printed(text), $"the process prints \"{text}\"", timeout);

    /// <summary>SIGTERM, as docker stop and systemd send it.</summary>
    public void Terminate() => _ = Kill(_process.Id, 15);

    /// <summary>kill -9: no shutdown code runs.</summary>
    public void KillHard() => _process.Kill(entireProcessTree: true);

    /// <summary>
    /// kill -9 as soon as the process prints its next line (or after 5 s), watched from a thread of its own so that a busy
    /// thread pool cannot delay the kill past the next message; then waits for the exit.
    /// </summary>
    public async Task KillAfterNextLineAsync()
    {
        var printed = _output.Count;
        await Task.Factory.StartNew(
            () =>
            {
                var deadline = Stopwatch.StartNew();
                while (_output.Count == printed && deadline.Elapsed < TimeSpan.FromSeconds(5))
                {
                    Thread.Sleep(1);
                }

                KillHard();
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
        await WaitForExitAsync(TimeSpan.FromSeconds(10));
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The process did not exit within {timeout.TotalSeconds:0}s. Output:\n{string.Join('\n', _output.TakeLast(30))}");
        }

        // Let the asynchronous readers deliver the last lines.
        _process.WaitForExit();
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int Kill(int pid, int signal);
}
