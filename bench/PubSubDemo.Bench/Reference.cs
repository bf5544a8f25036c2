using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using PubSubDemo.Shared.Contract;
using PubSubDemo.Messaging.Contract;
using EnvNames = PubSubDemo.Shared.Configuration.EnvironmentNames;

namespace PubSubDemo.Bench;

/// <summary>One consumer fed by the reference publisher at one rate: its latency, its CPU per message, and how late the pacing was.</summary>
internal sealed record ReferenceFigures(
    string Pattern,
    string Consumer,
    double Rate,
    bool LogMessages,
    long Sent,
    long Handled,
    long Count,
    double P50Ms,
    double P99Ms,
    double P999Ms,
    double MaxMs,
    double CpuMicrosPerMessage,
    double LateP50Ms,
    double LateP99Ms,
    double LateMaxMs,
    double LoadBefore,
    string? Problem);

/// <summary>What a reference program (bench/reference/*.py, PubSubDemo.BareSubscriber) writes when it stops.</summary>
internal sealed record ReferenceStats(long Handled, long Count, double P50Ms, double P99Ms, double P999Ms, double MaxMs);

/// <summary>What the reference publisher writes: how many it sent and how late its pacing thread was.</summary>
internal sealed record ReferencePublisherStats(long Sent, double LateP50Ms, double LateP99Ms, double LateMaxMs);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(ReferenceStats))]
[JsonSerializable(typeof(ReferencePublisherStats))]
internal sealed partial class ReferenceJsonContext : JsonSerializerContext;

/// <summary>
/// Our subscriber beside the floor of its own client library and of this machine, each fed by the same reference
/// publisher (bench/reference/publisher.py: paced on an absolute schedule, each message stamped just before it is
/// written, its lateness reported apart) at the same rates, one consumer at a time on the same server:
/// pub/sub — ours, a bare StackExchange.Redis subscriber (ChannelMessageQueue only) and a one-thread python3-redis
/// subscriber; queue — ours and a bare reliable consumer in python3-redis (BLMOVE into a processing list, LREM).
/// </summary>
internal sealed class Reference(IBenchTarget server, BenchOptions options, string runFolder, Action<string> log)
{
    public const string Ours = "ours";
    public const string Bare = "bare StackExchange.Redis";
    public const string Python = "python3-redis";
    public const string PythonReliable = "python3-redis BLMOVE/LREM";

    /// <summary>The rates at which our subscriber's CPU per message is also measured with its per-message log lines on.</summary>
    public static readonly int[] LoggedRates = [100, 1_000];

    public async Task<List<ReferenceFigures>> RunAllAsync()
    {
        var figures = new List<ReferenceFigures>();
        foreach (var rate in options.Quick ? [1_000] : Plan.LatencyRates)
        {
            foreach (var consumer in new[] { Ours, Bare, Python })
            {
                figures.Add(await RunAsync("pubsub", consumer, rate, logMessages: false));
            }

            if (!options.Quick && LoggedRates.Contains(rate))
            {
                figures.Add(await RunAsync("pubsub", Ours, rate, logMessages: true));
            }

            foreach (var consumer in new[] { Ours, PythonReliable })
            {
                figures.Add(await RunAsync("queue", consumer, rate, logMessages: false));
            }
        }

        foreach (var consumer in new[] { Ours, PythonReliable })
        {
            figures.Add(await RunAsync("pickup", consumer, options.PickupRate, logMessages: false));
        }

        return figures;
    }

    private async Task<ReferenceFigures> RunAsync(string kind, string consumer, double rate, bool logMessages)
    {
        await server.FlushAsync();
        var pattern = kind == "pickup" ? "queue" : kind;
        var key = $"ref-{kind}-{rate:0}-{Slug(consumer)}{(logMessages ? "-logged" : "")}";
        var folder = Path.Combine(runFolder, key);
        Directory.CreateDirectory(folder);
        var names = $"bench:{key}";
        var environment = EndToEnd.ServiceEnvironment(server, options, pattern, names).With(
            (EnvNames.LogMessages, logMessages ? "true" : "false"),
            ("STATS_WARMUP", $"{options.Warmup.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)}ms"),
            ("STATS_WARMUP_SECONDS", options.Warmup.TotalSeconds.ToString(CultureInfo.InvariantCulture)),
            // No 100 ms count timeline: the references keep none, and the product never reads its counters that often.
            ("STATS_TIMELINE", "false"));
        if (consumer == Ours)
        {
            foreach (var (name, value) in options.OursEnvironment)
            {
                environment[name] = value;
            }
        }

        var loadBefore = Proc.LoadAverage();
        var duration = Duration(kind, rate);
        await using var process = ServiceProcess.Start(Program(consumer), "consumer", folder, environment);
        try
        {
            await WaitReadyAsync(pattern, consumer, names, process);
            await Task.Delay(options.Rest);
            var cpuStart = Proc.CpuSeconds(process.Pid) ?? 0;
            await using (var publisher = ServiceProcess.Start(Path.Combine(options.Root, "bench", "reference", "publisher.py"), "publisher", folder, environment.With(
                (EnvNames.PublishRate, rate.ToString(CultureInfo.InvariantCulture)),
                ("DURATION_SECONDS", duration.TotalSeconds.ToString(CultureInfo.InvariantCulture)))))
            {
                if (!await publisher.WaitForExitAsync(duration + TimeSpan.FromSeconds(60)) || publisher.ExitCode != 0)
                {
                    throw new InvalidOperationException($"the reference publisher did not finish:\n{publisher.Tail()}");
                }

                await DrainAsync(pattern, names);
                var cpu = (Proc.CpuSeconds(process.Pid) ?? 0) - cpuStart;
                await process.StopAsync();
                var sent = Read(publisher.StatsFile, ReferenceJsonContext.Default.ReferencePublisherStats);
                var stats = consumer == Ours ? FromOurs(process.StatsFile, pattern) : Read(process.StatsFile, ReferenceJsonContext.Default.ReferenceStats);
                var result = new ReferenceFigures(kind, consumer, rate, logMessages, sent.Sent, stats.Handled, stats.Count, stats.P50Ms, stats.P99Ms, stats.P999Ms, stats.MaxMs,
                    stats.Handled > 0 ? Math.Round(cpu * 1e6 / stats.Handled, 1) : 0, sent.LateP50Ms, sent.LateP99Ms, sent.LateMaxMs, loadBefore, null);
                log(string.Create(CultureInfo.InvariantCulture,
                    $"  {kind} at {rate:N0} msg/s, {consumer + (logMessages ? " (LOG_MESSAGES)" : ""),-42} p50 {result.P50Ms:0.000} ms  p99 {result.P99Ms:0.000} ms  CPU {result.CpuMicrosPerMessage:0.#} us/msg  ({result.Handled:N0} of {result.Sent:N0}; pacing late p99 {result.LateP99Ms:0.000} ms)"));
                return result;
            }
        }
        catch (Exception ex) when (ex is TimeoutException or InvalidOperationException or IOException or JsonException or StackExchange.Redis.RedisException)
        {
            log($"  {kind} at {rate:N0} msg/s, {consumer}: FAILED: {ex.Message}");
            return new ReferenceFigures(kind, consumer, rate, logMessages, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, loadBefore, ex.Message);
        }
    }

    /// <summary>At least 40 messages after warm-up, so a low rate's p99 is not one sample.</summary>
    private TimeSpan Duration(string kind, double rate)
    {
        var baseline = kind == "pickup" ? options.PickupDuration : options.LatencyDuration;
        var enough = options.Warmup + TimeSpan.FromSeconds(options.Quick ? 3 / rate : 40 / rate);
        return baseline > enough ? baseline : enough;
    }

    private string Program(string consumer) => consumer switch
    {
        Ours => ServicePrograms.Subscriber(options),
        Bare => Environment.GetEnvironmentVariable("BENCH_BARE_SUBSCRIBER") is { Length: > 0 } aot && File.Exists(aot)
            ? aot
            : Path.Combine(options.Root, "bench", "PubSubDemo.BareSubscriber", "bin", "Release", "net10.0", "PubSubDemo.BareSubscriber.dll"),
        Python => Path.Combine(options.Root, "bench", "reference", "subscriber.py"),
        _ => Path.Combine(options.Root, "bench", "reference", "reliable_consumer.py"),
    };

    private static ReferenceStats FromOurs(string statsFile, string pattern)
    {
        var source = StatsFiles.ReadSubscriber(statsFile).Sources.Single(s => s.Source == (pattern == "pubsub" ? "channel" : pattern));
        return new(source.Handled, source.Latency.Count, source.Latency.P50Ms, source.Latency.P99Ms, source.Latency.P999Ms, source.Latency.MaxMs);
    }

    private static T Read<T>(string file, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) =>
        File.Exists(file) ? JsonSerializer.Deserialize(File.ReadAllBytes(file), type) ?? throw new InvalidOperationException($"{file} is empty")
            : throw new InvalidOperationException($"no figures in {file}");

    /// <summary>Ready: our subscriber counted on the server (its channel, or its doorbell and the consumer registry); a reference program says so.</summary>
    private async Task WaitReadyAsync(string pattern, string consumer, string names, ServiceProcess process)
    {
        async Task<bool> Ready()
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"the {consumer} consumer exited with {process.ExitCode}:\n{process.Tail()}");
            }

            if (consumer != Ours)
            {
                return File.Exists(process.LogFile) && File.ReadLines(process.LogFile).Any(l => l == "ready")
                    && (pattern != "pubsub" || await server.SubscribersAsync($"{names}:channel") == 1);
            }

            return pattern == "pubsub"
                ? await server.SubscribersAsync($"{names}:channel") == 1
                : await server.QueueConsumerReadyAsync($"{names}:queue");
        }

        await Wait.UntilAsync(Ready, TimeSpan.FromSeconds(30), $"the {consumer} {pattern} consumer to be ready");
    }

    /// <summary>Pub/sub keeps nothing on the server: a short pause. The queue: until it and every processing list are empty.</summary>
    private async Task DrainAsync(string pattern, string names)
    {
        if (pattern == "pubsub")
        {
            await Task.Delay(TimeSpan.FromSeconds(options.Quick ? 0.5 : 1));
            return;
        }

        var queue = $"{names}:queue";
        await Wait.UntilAsync(() => server.QueueDrainedAsync(queue), TimeSpan.FromSeconds(60), $"the consumer to empty {queue}");
    }

    private static string Slug(string consumer) => consumer switch
    {
        Ours => "ours",
        Bare => "bare",
        Python => "python",
        _ => "python-reliable",
    };
}
