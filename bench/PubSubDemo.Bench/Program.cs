using System.Diagnostics;
using PubSubDemo.Bench;

// ./bench/run.sh builds the services and this program, then runs it: see bench/README.md.
if (args.Contains("--help") || args.Contains("-h"))
{
    Console.WriteLine("usage: ./bench/run.sh [--quick] [--references-only | --outbox] [--ours-env NAME=VALUE] [--message-size N]");
    return 0;
}

BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (ArgumentException ex)
{
    await Console.Error.WriteLineAsync($"bench: {ex.Message}");
    return 2;
}

var started = DateTimeOffset.UtcNow;
var clock = Stopwatch.StartNew();
var runFolder = Directory.CreateTempSubdirectory("pubsubdemo-bench.").FullName;
Directory.CreateDirectory(options.ResultsFolder);
void Log(string line) => Console.WriteLine($"[{clock.Elapsed:mm\\:ss}] {line}");

Log($"{(options.Quick ? "Quick" : "Full")} benchmark on {Machine.Describe(options)}; logs in {runFolder}");
await using var server = await RedisServer.StartAsync(Path.Combine(runFolder, "redis-server.log"));
Log($"redis-server {server.Version} on {server.Address}");

if (options.OutboxOnly)
{
    Log("5) The transactional outbox beside the direct producer, the inbox beside a plain handler (--outbox)");
    var (only, databases) = await new OutboxRuns(server, options, runFolder, Log).RunAllAsync();
    var checks = new List<TargetCheck>();
    OutboxReport.Check(checks, only);
    var section = new System.Text.StringBuilder();
    section.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"Measured {started:yyyy-MM-dd HH:mm} UTC on {Machine.Describe(options)}; load average {Proc.LoadAverage():0.0} at the end.");
    OutboxReport.Append(section, only, databases);
    section.AppendLine();
    await WriteSectionAsync("outbox.md", section, checks);
    return only.Any(r => r.Problem is not null) ? 1 : 0;
}

var endToEnd = new EndToEnd(server, options, runFolder, Log);
var payload = await endToEnd.SamplePayloadAsync();
var payloadText = System.Text.Encoding.UTF8.GetString(payload);
Log($"A real message is {payload.Length} bytes; redis-benchmark sends that payload");

if (options.ReferencesOnly)
{
    Log("2b) Our subscriber beside the reference consumers, each fed by the same reference publisher (--references-only)"
        + string.Concat(options.OursEnvironment.Select(e => $"; ours with {e.Key}={e.Value}")));
    var only = await new Reference(server, options, runFolder, Log).RunAllAsync();
    var checks = new List<TargetCheck>();
    ReferenceTargets.Check(checks, only);
    var section = new System.Text.StringBuilder();
    ReferenceReport.Append(section, only);
    await WriteSectionAsync("references.md", section, checks);
    return only.Any(r => r.Problem is not null) ? 1 : 0;
}

Log("1) The server's own limit (redis-benchmark)");
var serverFigures = await new RedisBenchmark(server, options, Log).RunAllAsync(payloadText);

Log("2) The real publisher and subscribers");
var runs = new List<RunFigures>();
foreach (var spec in Plan.Runs(options))
{
    runs.Add(await endToEnd.RunAsync(spec));
}

Log("2b) Our subscriber beside the reference consumers, each fed by the same reference publisher");
var references = await new Reference(server, options, runFolder, Log).RunAllAsync();

Log("3) Idle services, start-up, and bursts into our subscribers");
var idle = await new Idle(server, options, runFolder, Log).RunAsync();
var bursts = await new Burst(server, new RedisBenchmark(server, options, Log), options, runFolder, Path.Combine(runFolder, "redis-server.log"), Log).RunAllAsync(payloadText);

Log("4) The same services on a local Redis Cluster of 3 primaries");
var clusterRuns = new List<RunFigures>();
string clusterShape;
await using (var cluster = await RedisClusterNodes.StartAsync(Path.Combine(runFolder, "cluster"), 3))
{
    clusterShape = cluster.Shape;
    Log($"Redis Cluster of {clusterShape}");
    var onCluster = new EndToEnd(cluster, options, runFolder, Log);
    foreach (var spec in ClusterPlan.Runs(options))
    {
        clusterRuns.Add(await onCluster.RunAsync(spec));
    }
}

Log("5) The transactional outbox beside the direct producer, the inbox beside a plain handler");
var (outbox, outboxDatabases) = await new OutboxRuns(server, options, runFolder, Log).RunAllAsync();

var results = new BenchResults(started, Math.Round(clock.Elapsed.TotalMinutes, 2), options.Quick ? "quick" : "full", Machine.Describe(options),
    $"Redis {server.Version}", payload.Length, payloadText, serverFigures, runs, Targets.Check(serverFigures, runs, idle, bursts, references, outbox), clusterShape, clusterRuns,
    idle, bursts, references, outbox, outboxDatabases);
var report = Report.Markdown(results);
var json = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(results, BenchJsonContext.Default.BenchResults);

// latest.* is the last run of either mode; full.* and quick.* keep the last run of each.
foreach (var name in new[] { "latest", results.Mode })
{
    await File.WriteAllTextAsync(Path.Combine(options.ResultsFolder, $"{name}.md"), report.Replace("](latency.png)", name == "latest" ? "](latency.png)" : $"](latency-{name}.png)", StringComparison.Ordinal));
    await File.WriteAllBytesAsync(Path.Combine(options.ResultsFolder, $"{name}.json"), json);
    LatencyPlot.Draw(results, Path.Combine(options.ResultsFolder, name == "latest" ? "latency.png" : $"latency-{name}.png"));
}

Log("6) Results");
Console.WriteLine();
Console.WriteLine(report);
Log($"Wrote bench/results/latest.md, latest.json and latency.png (and {results.Mode}.*) in {clock.Elapsed.TotalMinutes:0.0} minutes");
return runs.Concat(clusterRuns).Any(r => r.Problem is not null) || references.Any(r => r.Problem is not null) || outbox.Any(r => r.Problem is not null) ? 1 : 0;

// A section run alone (--references-only, --outbox): its table and target lines go to the run folder and the console.
async Task WriteSectionAsync(string name, System.Text.StringBuilder section, List<TargetCheck> checks)
{
    foreach (var check in checks)
    {
        section.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"- {check.Target}: {check.Measured}: {(check.Reached == true ? "reached" : "**missed**")} {check.Note}");
    }

    await File.WriteAllTextAsync(Path.Combine(runFolder, name), section.ToString());
    Console.WriteLine(section);
    Log($"Wrote {Path.Combine(runFolder, name)} in {clock.Elapsed.TotalMinutes:0.0} minutes (bench/results is left as it was)");
}
