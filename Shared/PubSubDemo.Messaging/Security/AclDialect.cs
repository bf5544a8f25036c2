namespace PubSubDemo.Messaging.Security;

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
