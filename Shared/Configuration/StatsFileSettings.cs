using PubSubDemo.Messaging.Configuration;
namespace PubSubDemo.Shared.Configuration;

/// <summary>
/// STATS_FILE: when set, a service writes its figures there as JSON when it stops (read by bench/).
/// STATS_WARMUP (subscriber): the file's latency figures leave out what was handled in this long after the first message, when JIT and connection warm-up dominate.
/// STATS_TIMELINE (subscriber, default true): the handled count every 100 ms, for a steady-state rate; false reads the
/// counters only until the warm-up is cut, so a latency run does not pay ten wake-ups a second that the product never
/// makes (measured: about 3 ms of CPU a second at rest, 30 µs a message at 100 msg/s).
/// </summary>
internal sealed class StatsFileSettings : IServiceSettings
{
    public string? Path { get; set; }

    public TimeSpan Warmup { get; set; } = TimeSpan.Zero;

    public bool Timeline { get; set; } = true;

    public void Load(SettingsReader reader)
    {
        Path = reader.Raw(EnvironmentNames.StatsFile);
        Warmup = reader.Duration(EnvironmentNames.StatsWarmup, Warmup, TimeSpan.Zero);
        Timeline = reader.Flag(EnvironmentNames.StatsTimeline, Timeline);
        if (Path is not null && System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path)) is { } folder && !Directory.Exists(folder))
        {
            reader.Error(EnvironmentNames.StatsFile, Path, $"the folder {folder} does not exist");
        }
    }
}
