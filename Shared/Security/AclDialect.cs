namespace PubSubDemo.Shared.Security;

/// <summary>
/// Which server's ACL rules <see cref="AccessRules"/> writes. Redis and Valkey take <c>+command|subcommand</c> rules;
/// DragonFly (v1.40.1) has none and refuses the whole line at the first one ("Unrecognized parameter +CLIENT|ID"),
/// applying nothing, so for it each subcommand rule becomes its whole command, and the output says what that grants
/// beyond need. <c>acl --server dragonfly</c> asks for it; the start-up probe can pass what it found.
/// </summary>
public enum AclDialect
{
    Redis,
    DragonFly,
}

/// <summary>The <c>acl</c> verb's arguments: <c>[--server redis|valkey|dragonfly]</c>.</summary>
public static class AclArguments
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
