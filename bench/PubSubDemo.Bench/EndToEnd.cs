using PubSubDemo.Messaging;
using System.Diagnostics;
using System.Globalization;
using PubSubDemo.Shared.Contract;
using PubSubDemo.Messaging.Contract;
using StackExchange.Redis;
using EnvNames = PubSubDemo.Shared.Configuration.EnvironmentNames;

namespace PubSubDemo.Bench;

/// <summary>One end-to-end run: which path, how many subscribers, and how fast the publisher sends (0 = as fast as it can).</summary>
internal sealed record RunSpec(string Key, string Title, string Pattern, int Subscribers, double Rate, TimeSpan Duration, string PubSubMode = "classic");

/// <summary>
/// Runs the real publisher and subscriber processes against the benchmark's server: subscribers first, each
/// checked ready on the server, a rest to read their idle memory, then the publisher for a set time, then a drain
/// (queue and stream until nothing is left, pub/sub a short pause), then SIGTERM and their STATS_FILEs.
/// </summary>
internal sealed class EndToEnd(IBenchTarget server, BenchOptions options, string runFolder, Action<string> log)
{
    private string PublisherDll => ServicePrograms.Publisher(options);

    private string SubscriberDll => ServicePrograms.Subscriber(options);

    /// <summary>One real message as the publisher writes it, so redis-benchmark sends the same number of bytes.</summary>
    public async Task<byte[]> SamplePayloadAsync()
    {
        var folder = Folder("sample");
        var queue = "bench:sample:queue";
        await using var publisher = ServiceProcess.Start(PublisherDll, "publisher", folder, Environment("queue", "bench:sample").With((EnvNames.MessageCount, "1"), (EnvNames.PublishRate, "0")));
        if (!await publisher.WaitForExitAsync(TimeSpan.FromSeconds(30)) || publisher.ExitCode != 0)
        {
            throw new InvalidOperationException($"the publisher did not send a sample message:\n{publisher.Tail()}");
        }

        var payload = (byte[]?)await server.Database().ListGetByIndexAsync(queue, 0) ?? throw new InvalidOperationException("no sample message in the queue");
        await server.FlushAsync();
        return payload;
    }

    public async Task<RunFigures> RunAsync(RunSpec spec)
    {
        await server.FlushAsync();
        var folder = Folder(spec.Key);
        var names = $"bench:{spec.Key}";
        var loadBefore = Proc.LoadAverage();
        await using var memory = new MemorySampler();
        var subscribers = new List<ServiceProcess>();
        ServiceProcess? publisher = null;
        string? problem = null;
        try
        {
            for (var i = 0; i < spec.Subscribers; i++)
            {
                var subscriber = ServiceProcess.Start(SubscriberDll, $"subscriber-{i + 1}", folder, Environment(spec, names).With(("STATS_WARMUP", $"{options.Warmup.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)}ms")));
                subscribers.Add(subscriber);
                memory.Watch(subscriber.Pid);
            }

            await WaitReadyAsync(spec, names, subscribers);

            // At rest: connected, subscribed, nothing to do yet.
            await Task.Delay(options.Rest);
            var rest = subscribers.ToDictionary(s => s.Pid, s => Proc.ResidentBytes(s.Pid) ?? 0);
            memory.Reset();

            var cpuStart = subscribers.ToDictionary(s => s.Pid, s => Proc.CpuSeconds(s.Pid) ?? 0);
            var redisCpuStart = server.CpuSeconds();
            var clock = Stopwatch.StartNew();
            publisher = ServiceProcess.Start(PublisherDll, "publisher", folder, Environment(spec, names).With(
                (EnvNames.PublishRate, spec.Rate.ToString(CultureInfo.InvariantCulture)),
                (EnvNames.Duration, $"{spec.Duration.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)}ms")));
            memory.Watch(publisher.Pid);
            var publisherCpu = 0.0;
            var publisherSeconds = 0.0;
            var publisherClock = Stopwatch.StartNew();
            var cpuSampler = Task.Run(async () =>
            {
                // The publisher's CPU is read while it runs: after it exits /proc no longer has it.
                while (!publisher.HasExited)
                {
                    if (Proc.CpuSeconds(publisher.Pid) is { } cpu)
                    {
                        publisherCpu = cpu;
                        publisherSeconds = publisherClock.Elapsed.TotalSeconds;
                    }

                    await Task.Delay(50);
                }
            });
            if (!await publisher.WaitForExitAsync(spec.Duration + TimeSpan.FromSeconds(60)))
            {
                throw new TimeoutException($"the publisher did not finish within {spec.Duration.TotalSeconds + 60:0} s:\n{publisher.Tail()}");
            }

            await cpuSampler;
            if (publisher.ExitCode != 0)
            {
                throw new InvalidOperationException($"the publisher exited with {publisher.ExitCode}:\n{publisher.Tail()}");
            }

            await DrainAsync(spec, names);
            var seconds = clock.Elapsed.TotalSeconds;
            var cpu = subscribers.ToDictionary(s => s.Pid, s => ((Proc.CpuSeconds(s.Pid) ?? 0) - cpuStart[s.Pid]) / seconds * 100);
            var redisCpu = ((server.CpuSeconds()) - redisCpuStart) / seconds * 100;
            memory.SampleNow();
            var peaks = subscribers.ToDictionary(s => s.Pid, s => memory.PeakOf(s.Pid));
            var publisherPeak = memory.PeakOf(publisher.Pid);

            await Task.WhenAll(subscribers.Select(s => s.StopAsync()));

            var published = StatsFiles.ReadPublisher(publisher.StatsFile);
            var files = subscribers.Select(s => File.Exists(s.StatsFile)
                ? StatsFiles.ReadSubscriber(s.StatsFile)
                : throw new InvalidOperationException($"{s.Role} wrote no STATS_FILE:\n{s.Tail()}")).ToList();
            var sources = files.Select(f => f.Sources.Single(s => s.Source == SourceName(spec.Pattern))).ToList();

            var processes = subscribers.Zip(files, sources).Select(p => new ProcessFigures(p.First.Role, rest[p.First.Pid], peaks[p.First.Pid], Math.Round(cpu[p.First.Pid]),
                    PerMessage(cpu[p.First.Pid] / 100 * seconds, p.Third.Handled), p.Second.Runtime.PeakManagedHeapBytes, p.Second.Runtime.AllocatedBytes / Math.Max(1, p.Third.Handled + p.Third.Dropped)))
                .Append(new ProcessFigures("publisher", 0, publisherPeak, publisherSeconds > 0 ? Math.Round(publisherCpu / publisherSeconds * 100) : 0, PerMessage(publisherCpu, published.Sent),
                    0, published.Runtime.AllocatedBytes / Math.Max(1, published.Sent)))
                .ToList();
            return Summarize(spec, published, sources, processes, redisCpu, loadBefore);
        }
        catch (Exception ex) when (ex is TimeoutException or InvalidOperationException or IOException or RedisException or System.Text.Json.JsonException)
        {
            problem = ex.Message;
            log($"  {spec.Title}: FAILED: {ex.Message}");
            return new RunFigures(spec.Key, spec.Title, spec.Pattern, spec.Subscribers, spec.Rate, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, null, [], [], 0, loadBefore, Proc.LoadAverage(), problem);
        }
        finally
        {
            if (publisher is not null)
            {
                await publisher.DisposeAsync();
            }

            foreach (var subscriber in subscribers)
            {
                await subscriber.DisposeAsync();
            }
        }
    }

    private static double PerMessage(double cpuSeconds, long messages) => messages > 0 ? Math.Round(cpuSeconds * 1e6 / messages, 1) : 0;

    private RunFigures Summarize(RunSpec spec, PublisherStatsFile published, List<SourceStatsFile> sources, List<ProcessFigures> processes, double redisCpu, double loadBefore)
    {
        var perSubscriber = sources.Select(s => SteadyRate([s])).ToList();
        var delivered = spec.Pattern == "pubsub" ? perSubscriber.Min() : SteadyRate(sources);
        var total = spec.Pattern == "pubsub" ? perSubscriber.Sum() : delivered;
        var handled = sources.Sum(s => s.Handled);
        var expected = spec.Pattern == "pubsub" ? published.Sent * sources.Count : published.Sent;
        var latency = sources.Count == 1 ? sources[0].Latency : null;
        var figures = new RunFigures(spec.Key, spec.Title, spec.Pattern, spec.Subscribers, spec.Rate, spec.Duration.TotalSeconds,
            published.Sent, published.SentPerSecond, Math.Round(delivered), Math.Round(total), handled,
            sources.Sum(s => s.Dropped), sources.Sum(s => s.Gaps), Math.Max(0, expected - handled), Math.Max(0, handled - expected),
            latency, sources.Count == 1 ? sources[0].Distribution : [], processes, Math.Round(redisCpu), loadBefore, Proc.LoadAverage(), null);
        var cpu = string.Join(", ", processes.Select(p => $"{p.Role} {p.CpuPercent:0}% {p.CpuMicrosPerMessage:0.#} us/msg")) + $", redis-server {redisCpu:0}%";
        log(spec.Rate > 0
            ? $"  {spec.Title,-34} p50 {latency?.P50Ms:0.000} ms  p99 {latency?.P99Ms:0.000} ms  p99.9 {latency?.P999Ms:0.000} ms  max {latency?.MaxMs:0.000} ms  ({handled:N0} handled; CPU {cpu})"
            : $"  {spec.Title,-34} {delivered,10:N0} msg/s {figures.DeliveredMeaning} (published {published.SentPerSecond:N0}/s; missing {figures.Missing:N0}; CPU {cpu})");
        return figures;
    }

    /// <summary>
    /// Messages per second after warm-up: the summed handled counts of <paramref name="sources"/> from the earliest
    /// first message plus the warm-up to the latest last message, read off each subscriber's timeline.
    /// </summary>
    private double SteadyRate(IReadOnlyList<SourceStatsFile> sources)
    {
        var active = sources.Where(s => s.FirstHandledAt is not null && s.Timeline.Count > 0).ToList();
        if (active.Count == 0)
        {
            return 0;
        }

        var start = active.Min(s => s.FirstHandledAt!.Value);
        var end = active.Max(s => s.LastHandledAt!.Value);
        var span = (end - start).TotalSeconds;
        var from = span > options.Warmup.TotalSeconds * 2 ? options.Warmup.TotalSeconds : span / 4;
        double CountAt(double seconds) => active.Sum(s => Interpolate(s.Timeline, seconds - (s.FirstHandledAt!.Value - start).TotalSeconds));
        return span - from > 0 ? (CountAt(span) - CountAt(from)) / (span - from) : 0;
    }

    private static double Interpolate(IReadOnlyList<TimelinePoint> timeline, double seconds)
    {
        if (seconds <= timeline[0].Seconds)
        {
            return timeline[0].Handled;
        }

        for (var i = 1; i < timeline.Count; i++)
        {
            if (seconds <= timeline[i].Seconds)
            {
                var (a, b) = (timeline[i - 1], timeline[i]);
                return a.Handled + (b.Handled - a.Handled) * (seconds - a.Seconds) / (b.Seconds - a.Seconds);
            }
        }

        return timeline[^1].Handled;
    }

    /// <summary>Ready means the server sees every subscriber: on the channel, in the queue's consumer registry, or on the doorbell and in the group.</summary>
    private async Task WaitReadyAsync(RunSpec spec, string names, List<ServiceProcess> subscribers)
    {
        var db = server.Database();
        async Task<bool> Ready()
        {
            if (subscribers.FirstOrDefault(s => s.HasExited) is { } dead)
            {
                throw new InvalidOperationException($"{dead.Role} exited with {dead.ExitCode} before it was ready:\n{dead.Tail()}");
            }

            switch (spec.Pattern)
            {
                case "pubsub":
                    return await server.SubscribersAsync($"{names}:channel", spec.PubSubMode == "sharded") == spec.Subscribers;
                case "queue":
                    // A consumer joins the registry once it can be woken: on its doorbell, or (BLOCKING_TAKE) in BLMOVE.
                    return await db.SetLengthAsync(KeyNames.Consumers($"{names}:queue")) == spec.Subscribers;
                default:
                    if (await server.SubscribersAsync(KeyNames.Doorbell($"{names}:stream"), spec.PubSubMode == "sharded") != spec.Subscribers)
                    {
                        return false;
                    }

                    try
                    {
                        return (await db.StreamConsumerInfoAsync($"{names}:stream", "bench")).Length == spec.Subscribers;
                    }
                    catch (RedisServerException)
                    {
                        return false;
                    }
            }
        }

        await Wait.UntilAsync(Ready, TimeSpan.FromSeconds(30), $"{spec.Subscribers} {spec.Pattern} subscribers to be ready");
    }

    /// <summary>Waits until nothing published is still on its way: the queue and every processing list empty, or the group caught up.</summary>
    private async Task DrainAsync(RunSpec spec, string names)
    {
        var db = server.Database();
        var timeout = TimeSpan.FromSeconds(options.Quick ? 30 : 120);
        switch (spec.Pattern)
        {
            case "pubsub":
                // Nothing to see on the server: what is left sits in the subscribers' buffers, bounded by CHANNEL_BUFFER.
                await Task.Delay(options.Quick ? TimeSpan.FromSeconds(0.5) : TimeSpan.FromSeconds(1));
                break;
            case "queue":
                var queue = $"{names}:queue";
                await Wait.UntilAsync(() => server.QueueDrainedAsync(queue), timeout, $"the consumers to empty {queue}");
                break;
            default:
                var stream = $"{names}:stream";
                await Wait.UntilAsync(async () =>
                {
                    var group = (await db.StreamGroupInfoAsync(stream)).FirstOrDefault(g => g.Name == "bench");
                    return group.PendingMessageCount == 0 && group.Lag == 0;
                }, timeout, $"the consumers to catch up with {stream}");
                break;
        }
    }

    private Dictionary<string, string> Environment(RunSpec spec, string names) =>
        Environment(spec.Pattern, names).With((EnvNames.PubSubMode, spec.PubSubMode));

    private Dictionary<string, string> Environment(string pattern, string names) => ServiceEnvironment(server, options, pattern, names);

    /// <summary>What every benchmark process is given: the server, its own channel, queue and stream, quiet logs.</summary>
    internal static Dictionary<string, string> ServiceEnvironment(IBenchTarget server, BenchOptions options, string pattern, string names)
    {
        var environment = new Dictionary<string, string>
        {
            [EnvNames.RedisAddr] = server.Address,
            [EnvNames.Pattern] = pattern,
            [EnvNames.Channel] = $"{names}:channel",
            [EnvNames.Queue] = $"{names}:queue",
            [EnvNames.Stream] = $"{names}:stream",
            [EnvNames.Group] = "bench",
            [EnvNames.LogMessages] = "false",
            [EnvNames.SummaryInterval] = "5s",
        };
        if (options.MessageSize > 0)
        {
            environment[EnvNames.MessageSize] = options.MessageSize.ToString(CultureInfo.InvariantCulture);
        }

        return environment;
    }

    private static string SourceName(string pattern) => pattern switch
    {
        "pubsub" => "channel",
        _ => pattern,
    };

    private string Folder(string name)
    {
        var folder = Path.Combine(runFolder, name);
        Directory.CreateDirectory(folder);
        return folder;
    }
}

internal static class EnvironmentExtensions
{
    public static Dictionary<string, string> With(this Dictionary<string, string> environment, params ReadOnlySpan<(string Name, string Value)> values)
    {
        foreach (var (name, value) in values)
        {
            environment[name] = value;
        }

        return environment;
    }
}
