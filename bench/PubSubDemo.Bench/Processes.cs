using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace PubSubDemo.Bench;

/// <summary>What /proc says about a process: resident memory and CPU time. Linux only, like the benchmark.</summary>
internal static partial class Proc
{
    private static readonly double TicksPerSecond = 100;

    /// <summary>VmRSS in bytes, or null when the process is gone.</summary>
    public static long? ResidentBytes(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    var kb = line["VmRSS:".Length..].Trim().Split(' ')[0];
                    return long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }

        return null;
    }

    /// <summary>User plus system CPU seconds used so far, or null when the process is gone.</summary>
    public static double? CpuSeconds(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");

            // The command name (field 2) may hold spaces; the fields after its closing parenthesis do not.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (double.Parse(fields[11], CultureInfo.InvariantCulture) + double.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>The 1-minute load average: above the core count, other work shared the machine with the run.</summary>
    public static double LoadAverage()
    {
        try
        {
            return double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or FormatException)
        {
            return -1;
        }
    }

    /// <summary>SIGTERM, the signal the services treat as a graceful stop.</summary>
    public static void Terminate(Process process)
    {
        if (!process.HasExited)
        {
            _ = Kill(process.Id, 15);
        }
    }

    /// <summary>Stops gracefully within <paramref name="grace"/>, else kills.</summary>
    public static async Task StopAsync(Process process, TimeSpan grace)
    {
        Terminate(process);
        using var deadline = new CancellationTokenSource(grace);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int Kill(int pid, int signal);
}

/// <summary>Samples resident memory of some processes every 100 ms, keeping the highest value per process.</summary>
internal sealed class MemorySampler : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<int, long> _peak = [];
    private readonly List<int> _pids = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public MemorySampler()
    {
        _loop = RunAsync();
    }

    public void Watch(int pid)
    {
        lock (_gate)
        {
            _pids.Add(pid);
        }
    }

    public long PeakOf(int pid)
    {
        lock (_gate)
        {
            return _peak.GetValueOrDefault(pid);
        }
    }

    /// <summary>Forgets the peaks so far: the next peaks count from now (after warm-up or an idle phase).</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _peak.Clear();
        }
    }

    public void SampleNow()
    {
        lock (_gate)
        {
            foreach (var pid in _pids)
            {
                if (Proc.ResidentBytes(pid) is { } rss && rss > _peak.GetValueOrDefault(pid))
                {
                    _peak[pid] = rss;
                }
            }
        }
    }

    private async Task RunAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                SampleNow();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
