using System.Runtime.InteropServices;

namespace PubSubDemo.Publisher.Generation;

/// <summary>
/// Waits until a due time with sub-millisecond precision. .NET timers and Thread.Sleep round to whole
/// milliseconds, which at 1,000 msg/s would add up to a millisecond of our own lateness to every latency figure;
/// nanosleep on Linux wakes within tens of microseconds. Runs on the publisher's dedicated pacing thread.
/// </summary>
internal static partial class Pacer
{
    private static readonly bool HasNanosleep = OperatingSystem.IsLinux() || OperatingSystem.IsMacOS();

    public static void WaitUntil(TimeProvider time, long dueTimestamp, CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var remaining = time.GetElapsedTime(time.GetTimestamp(), dueTimestamp);
            if (remaining <= TimeSpan.Zero)
            {
                return;
            }

            if (remaining > TimeSpan.FromMilliseconds(3))
            {
                // Coarse part: cancellable, millisecond precision.
                cancellationToken.WaitHandle.WaitOne(remaining - TimeSpan.FromMilliseconds(2));
                continue;
            }

            if (HasNanosleep)
            {
                var spec = new TimeSpec { Seconds = 0, Nanoseconds = remaining.Ticks * 100 };
                _ = NanoSleep(ref spec, IntPtr.Zero);
                continue;
            }

            Thread.SpinWait(64);
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "nanosleep")]
    private static partial int NanoSleep(ref TimeSpec request, IntPtr remaining);
}
