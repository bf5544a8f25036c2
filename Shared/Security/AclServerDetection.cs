using PubSubDemo.Messaging.Security;
using PubSubDemo.Shared.Connection;
using PubSubDemo.Messaging.Connection;
using StackExchange.Redis;

namespace PubSubDemo.Shared.Security;

/// <summary>
/// Without <c>acl --server</c>, which server's rules to write: the <c>acl</c> verb asks the server (INFO server) when it
/// can be reached without credentials. Not as the configured user: that is usually the user the printed line is about
/// to create, and a failed AUTH is an entry in the server's ACL LOG, which an unauthenticated INFO's NOAUTH is not.
/// What it found, or why it could not tell, is one comment line for standard error.
/// </summary>
internal static class AclServerDetection
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(2);

    public static async Task<(AclDialect Dialect, string Comment)> DetectAsync(ConfigurationOptions configured, CancellationToken cancellationToken)
    {
        var where = string.Join(",", configured.EndPoints.Select(e => e.ToString()));
        try
        {
            await using var connection = await ConnectionMultiplexer.ConnectAsync(AsDefaultUser(configured), TextWriter.Null).WaitAsync(cancellationToken);
            var server = connection.GetServers().FirstOrDefault(s => s.IsConnected) ?? throw new TimeoutException("no server answered");
            var (kind, version) = ServerProfile.Identify(await server.InfoRawAsync("server").WaitAsync(cancellationToken) ?? "");
            var dialect = kind == ServerKind.DragonFly ? AclDialect.DragonFly : AclDialect.Redis;
            return (dialect, $"# {where} is {ServerProfile.ProductName(kind, version)}: "
                + (dialect == AclDialect.DragonFly ? "whole-command rules (acl --server redis writes subcommand rules)" : "Redis rules (acl --server dragonfly writes DragonFly's)"));
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return (AclDialect.Redis, $"# could not ask {where} which server it is ({ex.Message.ReplaceLineEndings(" ")}): Redis rules, which Valkey takes too; acl --server dragonfly writes DragonFly's");
        }
    }

    /// <summary>The configured endpoints and TLS, without credentials, one quick try.</summary>
    private static ConfigurationOptions AsDefaultUser(ConfigurationOptions configured)
    {
        var options = configured.Clone();
        options.User = null;
        options.Password = null;
        options.AbortOnConnectFail = true;
        options.ConnectRetry = 0;
        options.ConnectTimeout = (int)ConnectTimeout.TotalMilliseconds;
        options.ClientName = "acl-verb";
        options.AllowAdmin = true; // INFO is an admin command to the client (not to the server)
        return options;
    }
}
