using PubSubDemo.Messaging.Configuration;
using PubSubDemo.Messaging.Connection;
using PubSubDemo.Shared.Connection;

namespace PubSubDemo.Shared.Configuration;

/// <summary>Where the server is: REDIS_ADDR, else seed 002's REDIS_HOST and REDIS_PORT.</summary>
internal sealed class RedisSettings : RedisConnectionOptions, IServiceSettings
{
    public void Load(SettingsReader reader)
    {
        var address = reader.Raw(EnvironmentNames.RedisAddr);
        var variable = EnvironmentNames.RedisAddr;
        var shown = address;
        if (address is null)
        {
            var host = reader.Text(EnvironmentNames.RedisHost, "localhost");
            var port = reader.Count(EnvironmentNames.RedisPort, 6379, 1, 65535);
            address = host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('[') ? $"[{host}]:{port}" : $"{host}:{port}";
            variable = EnvironmentNames.RedisHost;
            shown = host;
        }

        if (!RedisAddress.TryParse(address, out var options, out var problem))
        {
            reader.Error(variable, RedisAddress.Redact(shown!), variable == EnvironmentNames.RedisHost
                ? $"{problem}; use a host name or IP address (or set REDIS_ADDR)"
                : $"{problem}; {RedisAddress.Allowed}");
            return;
        }

        if (!PasswordFile.Apply(reader, options))
        {
            return;
        }

        CertificateCheck = TlsSettings.Apply(reader, options);
        Address = address;
        Options = options;
    }
}
