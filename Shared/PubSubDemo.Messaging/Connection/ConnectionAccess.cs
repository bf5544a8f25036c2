using PubSubDemo.Messaging.Security;
using StackExchange.Redis;

namespace PubSubDemo.Messaging.Connection;

/// <summary>
/// What StackExchange.Redis itself sends, found with MONITOR and ACL LOG against a restricted user: the handshake
/// (HELLO, AUTH, CLIENT SETNAME / ID, SELECT), INFO and CLUSTER NODES / SLOTS to learn the server's kind,
/// and PING / ECHO to keep connections alive; QUIT on close. The start-up probe (<see cref="ServerProbe"/>) adds INFO
/// and COMMAND INFO. Its tie-breaker key (GET __Booksleeve_TieBreak) and its
/// configuration channel (SUBSCRIBE __Booksleeve_MasterChanged) only matter for primary/replica switch-overs with
/// several endpoints that the client elects itself; they are turned off (<see cref="Restrict"/>), so no user needs a
/// key or a channel that the service does not use. CLIENT SETINFO (the library's name in CLIENT LIST) is off too:
/// servers before Redis 7.2 do not know it, so an ACL naming it would be refused there. CONFIG is off: the client
/// sends CONFIG GET at connect when admin commands are allowed (INFO needs that), and CONFIG GET requirepass would
/// hand any user that may run it the server's password.
/// </summary>
internal sealed class ConnectionAccess : IServerAccess
{
    public static void Restrict(ConfigurationOptions options)
    {
        options.TieBreaker = "";
        options.ConfigurationChannel = "";
        options.SetClientLibrary = false;
        options.CommandMap = CommandMap.Create(new HashSet<string> { "CONFIG" }, available: false);
    }

    public void Describe(AccessRules rules) => rules.Allow(
        "hello", "auth", "client|setname", "client|id", "select", "info", "cluster|nodes", "cluster|slots", "command|info", "ping", "echo", "quit");
}
