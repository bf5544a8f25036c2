using System.Text.Json;
using System.Text.Json.Serialization;
using PubSubDemo.Shared.Configuration;

namespace PubSubDemo.Publisher.Sending;

/// <summary>STATS_FILE: when set, the publisher writes its figures there as JSON when it stops (read by bench/).</summary>
internal sealed class StatsFileSettings : IServiceSettings
{
    public const string Variable = "STATS_FILE";

    public string? Path { get; set; }

    public IReadOnlyList<string> Errors { get; set; } = [];

    public void Load(SettingsReader reader)
    {
        Path = reader.Raw(Variable);
        if (Path is not null && System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path)) is { } folder && !Directory.Exists(folder))
        {
            reader.Error(Variable, Path, $"the folder {folder} does not exist");
        }
    }
}

/// <summary>What the publisher did, as the benchmark reads it.</summary>
internal sealed record PublisherStatsFile(
    string Service,
    string Instance,
    string Pattern,
    double? Rate,
    int MessageSize,
    long PayloadBytes,
    long Created,
    long Sent,
    long Retries,
    long Unsent,
    DateTimeOffset? FirstSentAt,
    DateTimeOffset? LastSentAt,
    double Seconds,
    double SentPerSecond,
    RuntimeFigures Runtime)
{
    /// <summary>The rate counts what was acknowledged after the first batch, over the time from the first acknowledgement to the last.</summary>
    public static PublisherStatsFile From(PublisherStats stats, PublisherSettings settings, MessagingSettings messaging)
    {
        var first = stats.FirstSent;
        var last = stats.LastSent;
        var seconds = first is { At: var from } && last is { } to ? (to - from).TotalSeconds : 0;
        var rate = seconds > 0 ? (stats.Sent - first!.Value.Count) / seconds : 0;
        return new("publisher", messaging.InstanceName, messaging.Pattern.ToString().ToLowerInvariant(), settings.Rate, settings.MessageSize,
            stats.LastPayloadBytes, stats.Created, stats.Sent, stats.Retries, stats.Unsent, first?.At, last, seconds, rate, RuntimeFigures.Now());
    }

    public async Task WriteAsync(string path)
    {
        // Written beside the target and renamed, so a reader never sees half a file.
        var partial = path + ".tmp";
        await File.WriteAllBytesAsync(partial, JsonSerializer.SerializeToUtf8Bytes(this, PublisherStatsFileJsonContext.Default.PublisherStatsFile));
        File.Move(partial, path, overwrite: true);
    }
}

/// <summary>What the process cost: CPU time, bytes allocated and garbage collections since it started.</summary>
internal sealed record RuntimeFigures(double CpuSeconds, long AllocatedBytes, int Gen0Collections, int Gen1Collections, int Gen2Collections, long PeakWorkingSetBytes)
{
    public static RuntimeFigures Now()
    {
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        return new(process.TotalProcessorTime.TotalSeconds, GC.GetTotalAllocatedBytes(), GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), process.PeakWorkingSet64);
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(PublisherStatsFile))]
internal sealed partial class PublisherStatsFileJsonContext : JsonSerializerContext;
