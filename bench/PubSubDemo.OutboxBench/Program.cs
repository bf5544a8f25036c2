using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PubSubDemo.OutboxBench;

// One role of the bench's outbox section (bench/README.md), started by bench/PubSubDemo.Bench with its settings in
// the environment (BenchSettings); writes its figures to STATS_FILE when it stops.
var (settings, error) = BenchSettings.From(Environment.GetEnvironmentVariable);
if (settings is null)
{
    Console.Error.WriteLine($"error: {error}");
    return 2;
}

// Content root beside the dll and no configuration reload: nothing wakes the process but its work.
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
{
    Args = ["--hostBuilder:reloadConfigOnChange=false"],
    ContentRootPath = AppContext.BaseDirectory,
});
builder.Logging.SetMinimumLevel(LogLevel.Warning);
var stats = settings.IsProducer ? await Producing.RunAsync(settings, builder) : await Consuming.RunAsync(settings, builder);
await File.WriteAllBytesAsync(settings.StatsFile, JsonSerializer.SerializeToUtf8Bytes(stats, OutboxBenchStatsJson.Default.OutboxBenchStats));
return 0;
