using PubSubDemo.Messaging.Configuration;
namespace PubSubDemo.Shared.Configuration;

/// <summary>A settings class loaded from environment variables by a <see cref="SettingsReader"/>, once per host.</summary>
internal interface IServiceSettings
{
    /// <summary>Reads every value this class owns; bad values are reported to the reader (one line each), not thrown.</summary>
    void Load(SettingsReader reader);
}
