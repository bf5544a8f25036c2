namespace PubSubDemo.Shared.Configuration;

/// <summary>
/// STATS_FILE: when set, a service writes its figures there as JSON when it stops (read by bench/).
/// STATS_WARMUP (subscriber): the file's latency figures leave out what was handled in this long after the first message, when JIT and connection warm-up dominate.
/// </summary>
public sealed class StatsFileSettings : IServiceSettings
{
    public const string Variable = "STATS_FILE";
    public const string WarmupVariable = "STATS_WARMUP";

    public string? Path { get; set; }

    public TimeSpan Warmup { get; set; } = TimeSpan.Zero;

    public IReadOnlyList<string> Errors { get; set; } = [];

    public void Load(SettingsReader reader)
    {
        Path = reader.Raw(Variable);
        Warmup = reader.Duration(WarmupVariable, Warmup, TimeSpan.Zero);
        if (Path is not null && System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path)) is { } folder && !Directory.Exists(folder))
        {
            reader.Error(Variable, Path, $"the folder {folder} does not exist");
        }
    }
}
