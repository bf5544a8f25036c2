using System.Globalization;
using System.Text.Json;
using PubSubDemo.Messaging.Contract;
using PubSubDemo.OutboxBench;

namespace PubSubDemo.Bench;

/// <summary>One run of the outbox section: rates, latency, each process's CPU per message, and whether every order arrived.</summary>
internal sealed record OutboxFigures(
    string Key,
    string Title,
    string Database,
    string Producer,
    string Consumer,
    double Rate,
    bool Signal,
    long Sent,
    long Measured,
    long Handled,
    long Applied,
    long Duplicates,
    double EndToEndPerSecond,
    double ProducedPerSecond,
    double RelayLagMs,
    Percentiles? Latency,
    Percentiles? ProducerStep,
    Percentiles? HandlerStep,
    double ProducerCpuMicrosPerMessage,
    double ConsumerCpuMicrosPerMessage,
    double PacingLateP99Ms,
    double LoadBefore,
    string? Problem)
{
    /// <summary>Orders produced that no handler saw (none while the run is healthy).</summary>
    public long Missing => Math.Max(0, Sent - Handled);
}

/// <summary>
/// Section 5 of the benchmark: the transactional outbox beside the direct producer, and the inbox beside a plain
/// handler (issue 22), each a pair of bench/PubSubDemo.OutboxBench processes on the run's redis-server, on SQLite and,
/// when it could be started, PostgreSQL. The consumer starts first and is counted on the server; the producer produces
/// its orders and exits (the outbox producer once its relay has sent every row); the run ends when the queue and its
/// processing lists are empty.
/// </summary>
internal sealed class OutboxRuns(IBenchTarget server, BenchOptions options, string runFolder, Action<string> log)
{
    public async Task<(List<OutboxFigures> Figures, string Databases)> RunAllAsync()
    {
        var (postgres, why) = await PostgresInstance.TryStartAsync();
        var databases = $"{OutboxPlan.Sqlite} (a file in the run folder, WAL, default synchronous) and " + (postgres?.Version ?? $"no PostgreSQL: {why}");
        log($"  databases: {databases}");
        var figures = new List<OutboxFigures>();
        await using (postgres)
        {
            foreach (var spec in OutboxPlan.Runs(options, postgres is not null))
            {
                figures.Add(await RunAsync(spec, postgres));
            }
        }

        return (figures, databases);
    }

    private async Task<OutboxFigures> RunAsync(OutboxRunSpec spec, PostgresInstance? postgres)
    {
        await server.FlushAsync();
        var folder = Path.Combine(runFolder, $"outbox-{spec.Key}");
        Directory.CreateDirectory(folder);
        var queue = $"bench:outbox:{spec.Key}";
        var environment = new Dictionary<string, string>
        {
            ["REDIS_ADDR"] = server.Address,
            ["BENCH_QUEUE"] = queue,
            ["BENCH_DB"] = spec.Database == OutboxPlan.Postgres && postgres is not null
                ? postgres.ConnectionString($"bench_{spec.Key.Replace('-', '_')}")
                : Path.Combine(folder, "bench.db"),
        };
        var loadBefore = Proc.LoadAverage();
        try
        {
            await using var consumer = ServiceProcess.Start(Program, "consumer", folder, environment.With(("BENCH_ROLE", spec.Consumer)));
            await Wait.UntilAsync(async () => consumer.HasExited
                    ? throw new InvalidOperationException($"the {spec.Consumer} consumer exited with {consumer.ExitCode}:\n{consumer.Tail()}")
                    : await server.QueueConsumerReadyAsync(queue),
                TimeSpan.FromSeconds(60), $"the {spec.Consumer} consumer of {queue}");
            var cpuStart = Proc.CpuSeconds(consumer.Pid) ?? 0;
            await using var producer = ServiceProcess.Start(Program, "producer", folder, environment.With(
                ("BENCH_ROLE", spec.Producer), ("BENCH_COUNT", Invariant(spec.Count)), ("BENCH_RATE", Invariant(spec.Rate)), ("BENCH_WARMUP", Invariant(spec.Warmup)), ("BENCH_WARMUP_SECONDS", Invariant(spec.WarmupSeconds)),
                ("BENCH_MAX_SECONDS", Invariant(spec.MaxSeconds)), ("OUTBOX_SIGNAL", spec.Signal ? "true" : "false")));
            if (!await producer.WaitForExitAsync(TimeSpan.FromSeconds(spec.MaxSeconds + 150)) || producer.ExitCode != 0)
            {
                throw new InvalidOperationException($"the {spec.Producer} producer did not finish:\n{producer.Tail()}");
            }

            await Wait.UntilAsync(() => server.QueueDrainedAsync(queue), TimeSpan.FromSeconds(120), $"the consumer to empty {queue}");
            var cpu = (Proc.CpuSeconds(consumer.Pid) ?? 0) - cpuStart;
            await consumer.StopAsync();
            var figures = Figures(spec, Read(producer.StatsFile), Read(consumer.StatsFile), cpu, loadBefore);
            log(figures.Rate > 0
                ? string.Create(CultureInfo.InvariantCulture, $"  {spec.Title,-82} p50 {figures.Latency?.P50Ms:0.00} ms  p99 {figures.Latency?.P99Ms:0.00} ms  ({figures.Handled:N0} of {figures.Sent:N0}; load {loadBefore:0.0})")
                : string.Create(CultureInfo.InvariantCulture, $"  {spec.Title,-82} {figures.EndToEndPerSecond:N0} msg/s end to end, produced at {figures.ProducedPerSecond:N0}/s  ({figures.Handled:N0} of {figures.Sent:N0}; load {loadBefore:0.0})"));
            return figures;
        }
        catch (Exception ex) when (ex is TimeoutException or InvalidOperationException or IOException or JsonException or StackExchange.Redis.RedisException)
        {
            log($"  {spec.Title}: FAILED: {ex.Message}");
            return new(spec.Key, spec.Title, spec.Database, spec.Producer, spec.Consumer, spec.Rate, spec.Signal, 0, 0, 0, 0, 0, 0, 0, 0, null, null, null, 0, 0, 0, loadBefore, ex.Message);
        }
    }

    private static OutboxFigures Figures(OutboxRunSpec spec, OutboxBenchStats producer, OutboxBenchStats consumer, double consumerCpu, double loadBefore)
    {
        var measured = producer.Sent - producer.Warmup;
        double PerSecond(DateTimeOffset? end) => producer.MeasuredFrom is { } from && end is { } to && to > from ? measured / (to - from).TotalSeconds : 0;
        var relayLag = producer.AllSent is { } sent && producer.LastSaved is { } saved ? Math.Max(0, (sent - saved).TotalMilliseconds) : 0;
        return new(spec.Key, spec.Title, spec.Database, spec.Producer, spec.Consumer, spec.Rate, spec.Signal, producer.Sent, measured, consumer.Handled, consumer.Applied,
            consumer.Duplicates, PerSecond(consumer.LastHandled), PerSecond(producer.LastSaved), relayLag, consumer.Latency, producer.Step, consumer.Step,
            measured > 0 ? Math.Round(producer.CpuSeconds * 1e6 / measured, 1) : 0, consumer.Handled > 0 ? Math.Round(consumerCpu * 1e6 / consumer.Handled, 1) : 0,
            producer.LateP99Ms, loadBefore, consumer.Handled < producer.Sent ? $"{producer.Sent - consumer.Handled:N0} orders never handled" : null);
    }

    private string Program => Path.Combine(options.Root, "bench", "PubSubDemo.OutboxBench", "bin", "Release", "net10.0", "PubSubDemo.OutboxBench.dll");

    private static string Invariant(double value) => value.ToString(CultureInfo.InvariantCulture);

    private static OutboxBenchStats Read(string file) =>
        File.Exists(file)
            ? JsonSerializer.Deserialize(File.ReadAllBytes(file), OutboxBenchStatsJson.Default.OutboxBenchStats) ?? throw new InvalidOperationException($"{file} is empty")
            : throw new InvalidOperationException($"no figures in {file}");
}
