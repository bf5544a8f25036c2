using System.Text;

namespace PubSubDemo.Messaging.Security;

/// <summary>
/// The commands, keys and channels one service uses, gathered from the parts that use them
/// (<see cref="IServerAccess"/>), and written as one <c>ACL SETUSER</c> line for redis-cli.
/// </summary>
internal sealed class AccessRules
{
    private readonly SortedSet<string> _commands = new(StringComparer.Ordinal);
    private readonly SortedSet<string> _keys = new(StringComparer.Ordinal);
    private readonly SortedSet<string> _channels = new(StringComparer.Ordinal);

    public IReadOnlyCollection<string> Commands => _commands;

    public IReadOnlyCollection<string> Keys => _keys;

    public IReadOnlyCollection<string> Channels => _channels;

    /// <summary>Commands by name, lower case; a subcommand as <c>client|setname</c>.</summary>
    public AccessRules Allow(params string[] commands)
    {
        foreach (var command in commands)
        {
            _commands.Add(command.ToLowerInvariant());
        }

        return this;
    }

    /// <summary>Key names or globs (<c>queue:processing:*</c>); glob characters in a literal name are escaped.</summary>
    public AccessRules Key(string name, bool glob = false)
    {
        _keys.Add(glob ? name : EscapeGlob(name));
        return this;
    }

    /// <summary>A channel by name, or a channel pattern exactly as the service subscribes to it.</summary>
    public AccessRules Channel(string name, bool glob = false)
    {
        _channels.Add(glob ? name : EscapeGlob(name));
        return this;
    }

    /// <summary>
    /// <c>ACL SETUSER user on resetpass &gt;password resetkeys resetchannels -@all +cmd … ~key … &amp;channel …</c>:
    /// the user gets exactly these rules, whatever it had before. For DragonFly each <c>cmd|subcommand</c> rule is
    /// written as its whole command, once (<see cref="BeyondNeed"/> says what that grants besides).
    /// </summary>
    public string ToSetUser(string user, string password, AclDialect dialect = AclDialect.Redis)
    {
        var line = new StringBuilder("ACL SETUSER ").Append(user).Append(" on resetpass >").Append(password)
            .Append(" resetkeys resetchannels -@all");
        foreach (var command in CommandRules(dialect))
        {
            line.Append(" +").Append(command);
        }

        foreach (var key in _keys)
        {
            line.Append(" ~").Append(key);
        }

        foreach (var channel in _channels)
        {
            line.Append(" &").Append(channel);
        }

        return line.ToString();
    }

    /// <summary>The command rules as the dialect writes them, sorted and without repeats.</summary>
    public IReadOnlyCollection<string> CommandRules(AclDialect dialect) =>
        dialect == AclDialect.Redis ? _commands : new SortedSet<string>(_commands.Select(c => c.Split('|')[0]), StringComparer.Ordinal);

    /// <summary>
    /// One comment line ("# …") per whole command the dialect grants in place of the subcommands this service uses,
    /// naming those and what else it lets the user run; none for Redis and Valkey.
    /// </summary>
    public IReadOnlyList<string> BeyondNeed(AclDialect dialect)
    {
        if (dialect == AclDialect.Redis)
        {
            return [];
        }

        return [.. _commands.Where(c => c.Contains('|', StringComparison.Ordinal))
            .GroupBy(c => c.Split('|')[0], StringComparer.Ordinal)
            .Select(g => $"# DragonFly has no subcommand rules: +{g.Key} (for {string.Join(", ", g.Select(c => c.Replace('|', ' ').ToUpperInvariant()))}) also grants {Extra(g.Key)}")];
    }

    /// <summary>What a whole command grants that the services never send, the risky part first.</summary>
    private static string Extra(string command) => command switch
    {
        "client" => "CLIENT KILL, CLIENT PAUSE, CLIENT LIST (every client's address and name) and the rest of CLIENT",
        "cluster" => "the other CLUSTER subcommands, including those that change the cluster's configuration",
        "script" => "SCRIPT FLUSH and SCRIPT KILL (every client's cached scripts, a running script)",
        "xgroup" => "XGROUP DESTROY, XGROUP SETID and XGROUP DELCONSUMER on the keys it may use",
        "xinfo" => "XINFO STREAM and XINFO CONSUMERS on the keys it may use (read-only)",
        "config" => "CONFIG SET and CONFIG GET requirepass",
        _ => $"every other {command.ToUpperInvariant()} subcommand",
    };

    /// <summary>Backslash before the glob characters, so <c>orders[1]</c> means itself and nothing more.</summary>
    public static string EscapeGlob(string name)
    {
        var escaped = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            if (c is '*' or '?' or '[' or ']' or '\\')
            {
                escaped.Append('\\');
            }

            escaped.Append(c);
        }

        return escaped.ToString();
    }
}
