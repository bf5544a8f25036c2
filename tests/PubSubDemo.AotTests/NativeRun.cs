using System.Net;
using System.Net.Sockets;
using Xunit.Abstractions;

namespace PubSubDemo.AotTests;

/// <summary>
/// One end-to-end run of the native binaries: the subscriber started first and waited for on every source it
/// consumes, then a publisher that sends <c>count</c> messages and exits, then SIGTERM to the subscriber. Asserts
/// what a user would check: both exit 0, every message is logged and in the final summary of every source, and no
/// stack trace was printed. Returns the subscriber's output for the caller's own checks.
/// </summary>
internal static class NativeRun
{
    public static readonly TimeSpan Exit = TimeSpan.FromSeconds(20);

    /// <summary>The summary name of each source (also the suffix of its name here) and the line that says the subscriber is reading it.</summary>
    private static readonly (string Pattern, string Source, string Ready)[] Sources =
    [
        ("pubsub", "channel", "Subscribed to channel '{0}'"),
        ("queue", "queue", "Consuming queue '{0}'"),
        ("stream", "stream", "Consuming stream '{0}'"),
    ];

    public static async Task<IReadOnlyCollection<string>> DeliverAsync(AotBinaries binaries, ITestOutputHelper output,
        string pattern, string names, IDictionary<string, string?> environment, int count = 5)
    {
        var sources = Sources.Where(s => pattern == "all" || s.Pattern == pattern).ToList();
        // A key of its own per source: PATTERN=all would otherwise push to a list and a stream of one name.
        environment = environment.With(("PATTERN", pattern), ("CHANNEL", $"{names}-channel"), ("QUEUE", $"{names}-queue"), ("STREAM", $"{names}-stream"), ("SUMMARY_INTERVAL", "1s"));
        await using var subscriber = ServiceProcess.StartExecutable(binaries.PathOf("Subscriber"), environment);
        ServiceProcess? publisher = null;
        try
        {
            // pub/sub keeps nothing for a subscriber that is not there yet: the publisher starts once it reads every source.
            foreach (var source in sources)
            {
                await subscriber.WaitForOutputAsync(string.Format(System.Globalization.CultureInfo.InvariantCulture, source.Ready, $"{names}-{source.Source}"), TimeSpan.FromSeconds(30));
            }

            publisher = ServiceProcess.StartExecutable(binaries.PathOf("Publisher"), environment.With(("MESSAGE_COUNT", $"{count}"), ("PUBLISH_INTERVAL", "20ms")));
            Assert.Equal(0, await publisher.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            Assert.Contains(publisher.Output, line => line.Contains($"Done: {count} messages sent", StringComparison.Ordinal));
            await Wait.UntilAsync(() => subscriber.Output.Count(line => line.Contains("(ID: ", StringComparison.Ordinal)) >= count * sources.Count,
                $"the subscriber logs {count * sources.Count} messages");

            subscriber.Terminate();
            Assert.Equal(0, await subscriber.WaitForExitAsync(Exit));
            foreach (var source in sources)
            {
                Assert.Contains(subscriber.Output, line => line.Contains($"Final summary {source.Source}", StringComparison.Ordinal) && line.Contains($"handled {count},", StringComparison.Ordinal));
            }

            Assert.DoesNotContain(subscriber.Output.Concat(publisher.Output), line => line.Contains("   at ", StringComparison.Ordinal));
            return subscriber.Output;
        }
        finally
        {
            if (publisher is not null)
            {
                Write(output, "publisher", publisher);
                await publisher.DisposeAsync();
            }

            Write(output, "subscriber", subscriber);
        }
    }

    public static void Write(ITestOutputHelper output, string name, ServiceProcess process)
    {
        output.WriteLine($"--- {name}");
        foreach (var line in process.Output)
        {
            output.WriteLine(line);
        }
    }

    /// <summary>A loopback port nothing listens on right now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
