using Xunit.Abstractions;

namespace PubSubDemo.MonitorTests;

/// <summary>The monitor, publishers and subscribers as real processes, stopped together when the test ends.</summary>
public sealed class MonitorProcesses(ITestOutputHelper output) : IAsyncDisposable
{
    private readonly List<(string Name, ServiceProcess Process)> _processes = [];

    public ServiceProcess Start(string name, string service, IDictionary<string, string?> environment)
    {
        // Observability settings are not among the ones ServiceProcess clears: set every one, so nothing leaks in from the runner.
        var values = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["METRICS_PORT"] = "",
            ["MONITOR_PORT"] = "",
            ["MONITOR_REPORT"] = "",
            ["STALL_TIMEOUT"] = "",
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "",
            ["ASPNETCORE_URLS"] = "",
            ["ASPNETCORE_HTTP_PORTS"] = "",
            ["LOG_MESSAGES"] = "false",
        };
        foreach (var (key, value) in environment)
        {
            values[key] = value;
        }

        var process = ServiceProcess.Start(service, values);
        _processes.Add((name, process));
        return process;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (_, process) in Enumerable.Reverse(_processes))
        {
            if (!process.HasExited)
            {
                process.Terminate();
            }
        }

        foreach (var (name, process) in _processes)
        {
            try
            {
                await process.WaitForExitAsync(TimeSpan.FromSeconds(20));
            }
            catch (TimeoutException)
            {
                output.WriteLine($"{name} did not stop on SIGTERM; killing it");
            }

            output.WriteLine($"--- output of {name}");
            foreach (var line in process.Output.TakeLast(40))
            {
                output.WriteLine(line);
            }

            await process.DisposeAsync();
        }
    }
}

