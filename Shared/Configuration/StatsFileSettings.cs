namespace PubSubDemo.Shared.Configuration;

/// <summary>
/// STATS_FILE: when set, a service writes its figures there as JSON when it stops (read by bench/).
/// STATS_WARMUP (subscriber): the file's latency figures leave out what was handled in this long after the first message, when JIT and connection warm-up dominate.
/// </summary>
public sealed class StatsFileSettings : IServiceSettings
{
    public string? Path { get; set; }

    public TimeSpan Warmup { get; set; } = TimeSpan.Zero;

    public void Load(SettingsReader reader)
    {
        Path = reader.Raw(EnvironmentNames.StatsFile);
        Warmup = reader.Duration(EnvironmentNames.StatsWarmup, Warmup, TimeSpan.Zero);
        if (Path is not null && System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path)) is { } folder && !Directory.Exists(folder))
        {
            reader.Error(EnvironmentNames.StatsFile, Path, $"the folder {folder} does not exist");
        }
    }
}
