using PubSubDemo.Messaging.Security;

namespace PubSubDemo.Shared.Security;

/// <summary>The <c>acl</c> verb's arguments: <c>[--server redis|valkey|dragonfly]</c>.</summary>
internal static class AclArguments
{
    public const string Usage = "use acl [--server redis|valkey|dragonfly]";

    /// <summary>The dialect asked for (Redis when none is), or the one line that says what is wrong.</summary>
    public static (AclDialect Dialect, string? Error) Parse(IReadOnlyList<string> arguments)
    {
        var dialect = AclDialect.Redis;
        for (var i = 0; i < arguments.Count; i++)
        {
            var value = arguments[i] == "--server" && i + 1 < arguments.Count ? arguments[++i].ToLowerInvariant() : null;
            switch (value)
            {
                case "redis" or "valkey":
                    dialect = AclDialect.Redis;
                    break;
                case "dragonfly":
                    dialect = AclDialect.DragonFly;
                    break;
                case null when arguments[i] == "--server":
                    return (dialect, $"acl --server needs a value: {Usage}");
                case null:
                    return (dialect, $"acl '{arguments[i]}' is not valid: {Usage}");
                default:
                    return (dialect, $"acl --server '{value}' is not valid: {Usage}");
            }
        }

        return (dialect, null);
    }
}
