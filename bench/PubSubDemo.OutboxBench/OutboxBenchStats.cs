using System.Text.Json.Serialization;

namespace PubSubDemo.OutboxBench;

/// <summary>
/// What one role of the outbox bench writes to STATS_FILE when it stops; the benchmark (bench/PubSubDemo.Bench, which
/// compiles this file too) reads it. Times are UTC wall-clock, comparable across the processes of one machine. The
/// first <see cref="Warmup"/> messages (JIT, connections, EF Core's model) are left out of every figure.
/// </summary>
/// <param name="Role">The BENCH_ROLE that wrote it.</param>
/// <param name="Sent">Producer: orders it saved or sent, warm-up included.</param>
/// <param name="Warmup">Producer: how many of them were marked warm-up.</param>
/// <param name="MeasuredFrom">Producer: when the first measured order's save or send began.</param>
/// <param name="LastSaved">Producer: when the last save or send returned.</param>
/// <param name="AllSent">Outbox producer: when the relay had marked every row sent.</param>
/// <param name="Handled">Consumer: deliveries its handler saw, warm-up included.</param>
/// <param name="Applied">Consumer: database effects committed (plain: every save; inbox: Applied outcomes).</param>
/// <param name="Duplicates">Consumer: inbox deliveries found already handled.</param>
/// <param name="FirstHandled">Consumer: when the first measured delivery was handled.</param>
/// <param name="LastHandled">Consumer: when the last measured delivery was handled.</param>
/// <param name="Latency">Consumer: scheduled save or send to handled, measured messages only.</param>
/// <param name="Step">Producer: one save or send; consumer: one run of the handler's body.</param>
/// <param name="CpuSeconds">Producer: its CPU time from the first measured order until everything was sent.</param>
/// <param name="LateP99Ms">Producer at a fixed rate: how late the pacing loop started an order, p99.</param>
internal sealed record OutboxBenchStats(
    string Role,
    long Sent,
    long Warmup,
    DateTimeOffset? MeasuredFrom,
    DateTimeOffset? LastSaved,
    DateTimeOffset? AllSent,
    long Handled,
    long Applied,
    long Duplicates,
    DateTimeOffset? FirstHandled,
    DateTimeOffset? LastHandled,
    Percentiles? Latency,
    Percentiles? Step,
    double CpuSeconds,
    double LateP99Ms);

/// <summary>A latency distribution in milliseconds.</summary>
internal sealed record Percentiles(long Count, double P50Ms, double P90Ms, double P99Ms, double P999Ms, double MaxMs);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true, PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(OutboxBenchStats))]
internal sealed partial class OutboxBenchStatsJson : JsonSerializerContext;
