using System.Diagnostics;
using System.Globalization;
using EnvNames = PubSubDemo.Shared.Configuration.EnvironmentNames;

namespace PubSubDemo.Bench;

/// <summary>What the services cost doing nothing, and how soon a subscriber is ready after its process starts.</summary>
internal sealed record IdleFigures(double Seconds, double SubscriberCpuPercent, double PublisherCpuPercent, long SubscriberRssBytes, IReadOnlyList<double> StartToSubscribedMs, double LoadBefore)
{
    public double StartToSubscribedMedianMs => StartToSubscribedMs.Count == 0 ? 0 : StartToSubscribedMs.Order().ElementAt(StartToSubscribedMs.Count / 2);
}

/// <summary>
/// Idle: a subscriber on every source (PATTERN=all) and a publisher that has sent its one message and waits an
/// hour for the next (PUBLISH_INTERVAL=1h), both connected, measured over <see cref="BenchOptions.IdleDuration"/>
/// after a settling pause: their CPU time over that span, as a percentage of one core. Start-up: a pub/sub
/// subscriber started three times, timed from the process start to the server counting its subscription.
/// </summary>
internal sealed class Idle(RedisServer server, BenchOptions options, string runFolder, Action<string> log)
{
    public async Task<IdleFigures> RunAsync()
    {
        await server.FlushAsync();
        var load = Proc.LoadAverage();
        var starts = new List<double>();
        for (var i = 0; i < 3; i++)
        {
            starts.Add(await StartToSubscribedAsync(i));
        }

        var folder = Folder("idle");
        var names = "bench:idle";
        await using var subscriber = ServiceProcess.Start(ServicePrograms.Subscriber(options), "subscriber", folder, Environment(names, "all"));
        await Wait.UntilAsync(async () => await server.SubscribersAsync($"{names}:channel") == 1, TimeSpan.FromSeconds(30), "the idle subscriber");
        await using var publisher = ServiceProcess.Start(ServicePrograms.Publisher(options), "publisher", folder, Environment(names, "all").With((EnvNames.PublishInterval, "1h")));
        await Wait.UntilAsync(async () => await server.Database().ListLengthAsync($"{names}:queue") == 0 && await server.Database().StreamLengthAsync($"{names}:stream") > 0,
            TimeSpan.FromSeconds(30), "the idle publisher's one message to be taken");

        // Start-up work (first connections, the first summary) is over before the measured span begins.
        await Task.Delay(options.Rest * 2);
        var before = (Sub: Proc.CpuSeconds(subscriber.Pid) ?? 0, Pub: Proc.CpuSeconds(publisher.Pid) ?? 0);
        var clock = Stopwatch.StartNew();
        await Task.Delay(options.IdleDuration);
        var seconds = clock.Elapsed.TotalSeconds;
        var subscriberCpu = ((Proc.CpuSeconds(subscriber.Pid) ?? 0) - before.Sub) / seconds * 100;
        var publisherCpu = ((Proc.CpuSeconds(publisher.Pid) ?? 0) - before.Pub) / seconds * 100;
        var rss = Proc.ResidentBytes(subscriber.Pid) ?? 0;
        var figures = new IdleFigures(Math.Round(seconds, 1), Math.Round(subscriberCpu, 2), Math.Round(publisherCpu, 2), rss, starts, load);
        log(string.Create(CultureInfo.InvariantCulture,
            $"  idle {seconds:0} s: subscriber {subscriberCpu:0.00}% of a core, publisher {publisherCpu:0.00}%; subscriber {Report.Megabytes(rss)} MB; start to subscribed {string.Join(", ", starts.Select(s => $"{s:0} ms"))}"));
        return figures;
    }

    private async Task<double> StartToSubscribedAsync(int attempt)
    {
        var names = $"bench:start-{attempt}";
        var clock = Stopwatch.StartNew();
        await using var subscriber = ServiceProcess.Start(ServicePrograms.Subscriber(options), $"subscriber-start-{attempt + 1}", Folder("start"), Environment(names, "pubsub"));
        while (await server.SubscribersAsync($"{names}:channel") == 0)
        {
            if (subscriber.HasExited || clock.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new InvalidOperationException($"the subscriber did not subscribe:\n{subscriber.Tail()}");
            }

            await Task.Delay(2);
        }

        return Math.Round(clock.Elapsed.TotalMilliseconds, 1);
    }

    private Dictionary<string, string> Environment(string names, string pattern) => EndToEnd.ServiceEnvironment(server, options, pattern, names);

    private string Folder(string name)
    {
        var folder = Path.Combine(runFolder, name);
        Directory.CreateDirectory(folder);
        return folder;
    }
}
