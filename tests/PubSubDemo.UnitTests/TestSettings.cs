using Microsoft.Extensions.Configuration;
using PubSubDemo.Shared.Configuration;
using PubSubDemo.Messaging.Configuration;

namespace PubSubDemo.UnitTests;

/// <summary>Loads a settings class from an in-memory stand-in for the environment, the way the host does.</summary>
internal static class TestSettings
{
    public static IConfiguration Configuration(params (string Name, string? Value)[] values) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => KeyValuePair.Create(v.Name, v.Value)))
            .Build();

    public static SettingsReader Reader(params (string Name, string? Value)[] values) => new(Configuration(values));

    public static (T Settings, IReadOnlyList<string> Errors) Load<T>(params (string Name, string? Value)[] values)
        where T : IServiceSettings, new()
    {
        var reader = Reader(values);
        var settings = new T();
        settings.Load(reader);
        return (settings, reader.Errors);
    }
}
