namespace PubSubDemo.Shared.Configuration;

/// <summary>An options class loaded from environment variables by a <see cref="SettingsReader"/>.</summary>
public interface IServiceSettings
{
    /// <summary>Reads every value this class owns; bad values are reported to the reader, not thrown.</summary>
    void Load(SettingsReader reader);

    /// <summary>What <see cref="Load"/> found wrong; the host refuses to start while this is not empty.</summary>
    IReadOnlyList<string> Errors { get; set; }
}
