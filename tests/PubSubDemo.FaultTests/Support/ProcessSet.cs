using Xunit.Abstractions;

namespace PubSubDemo.FaultTests.Support;

/// <summary>The service processes one test started: killed when the test ends, pass or fail, and the end of each one's output written to the test output.</summary>
internal sealed class ProcessSet(ITestOutputHelper output, int? tailLines = null) : IAsyncDisposable
{
    /// <summary>FAULT_LOG_TAIL widens the tail when a failure needs the whole story (0: every line).</summary>
    private readonly int _tail = tailLines ?? (int.TryParse(Environment.GetEnvironmentVariable("FAULT_LOG_TAIL"), out var n) ? (n <= 0 ? int.MaxValue : n) : 40);

    private readonly List<(string Name, ServiceProcess Process)> _processes = [];

    public ServiceProcess Add(string name, ServiceProcess process)
    {
        _processes.Add((name, process));
        return process;
    }

    public List<ServiceProcess> AddAll(IEnumerable<string> names, IEnumerable<ServiceProcess> processes)
    {
        var list = processes.ToList();
        foreach (var (name, process) in names.Zip(list))
        {
            Add(name, process);
        }

        return list;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (name, process) in _processes)
        {
            await process.DisposeAsync();
            output.WriteLine(_tail == int.MaxValue ? $"--- every line of {name}" : $"--- last {_tail} lines of {name}");
            output.WriteLine(ServiceOutput.Tail(process.Output, _tail));
        }
    }
}
