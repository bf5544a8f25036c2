using PubSubDemo.Messaging.Configuration;
using Microsoft.Extensions.Configuration;

namespace PubSubDemo.Shared.Configuration;

/// <summary>
/// One settings class as read from the environment, and what the reader found wrong with it. Made once per host,
/// so registration-time decisions, injection and start-up validation all see the same instance.
/// </summary>
internal sealed record LoadedSettings<T>(T Value, IReadOnlyList<string> Errors) : ISettingsErrors
    where T : class, IServiceSettings, new();

/// <summary>
/// What the reader found wrong in one settings class, for a check that must not build anything else the host
/// registered: a command-line verb validates the settings without starting exporters or listeners.
/// </summary>
internal interface ISettingsErrors
{
    IReadOnlyList<string> Errors { get; }
}

/// <summary>Reads a settings class from configuration: the only place <see cref="IServiceSettings.Load"/> is called for a host.</summary>
internal static class LoadedSettings
{
    public static LoadedSettings<T> Read<T>(IConfiguration configuration)
        where T : class, IServiceSettings, new()
    {
        var reader = new SettingsReader(configuration);
        var value = new T();
        value.Load(reader);
        return new(value, reader.Errors);
    }
}
