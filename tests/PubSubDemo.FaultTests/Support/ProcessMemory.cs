namespace PubSubDemo.FaultTests.Support;

/// <summary>A process's resident memory as the kernel reports it (VmRSS in /proc/&lt;pid&gt;/status).</summary>
internal static class ProcessMemory
{
    public static double? ResidentMegabytes(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return line is null ? null : long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0]) / 1024.0;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
