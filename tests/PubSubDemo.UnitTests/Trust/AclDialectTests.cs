using PubSubDemo.Shared.Security;
using PubSubDemo.Messaging.Security;

namespace PubSubDemo.UnitTests.Trust;

/// <summary>
/// DragonFly (v1.40.1) has no <c>command|subcommand</c> ACL rules and refuses the whole ACL SETUSER line at the first
/// one: its dialect writes whole commands, once each, and says what they grant beyond need.
/// </summary>
public sealed class AclDialectTests
{
    private static AccessRules Rules() => new AccessRules()
        .Allow("hello", "client|setname", "client|id", "cluster|nodes", "cluster|slots", "xgroup|create", "xinfo|groups", "script|load", "xreadgroup")
        .Key("orders").Channel("{orders}:doorbell");

    [Fact]
    public void Redis_rules_keep_the_subcommands()
    {
        var line = Rules().ToSetUser("u", "p");
        Assert.Contains(" +client|id +client|setname +cluster|nodes +cluster|slots +hello +script|load +xgroup|create +xinfo|groups +xreadgroup ~orders &{orders}:doorbell", line, StringComparison.Ordinal);
        Assert.Empty(Rules().BeyondNeed(AclDialect.Redis));
    }

    [Fact]
    public void DragonFly_rules_name_whole_commands_once_and_no_subcommand()
    {
        var line = Rules().ToSetUser("u", "p", AclDialect.DragonFly);
        Assert.Equal("ACL SETUSER u on resetpass >p resetkeys resetchannels -@all +client +cluster +hello +script +xgroup +xinfo +xreadgroup ~orders &{orders}:doorbell", line);
        Assert.DoesNotContain('|', line);
    }

    [Fact]
    public void DragonFly_rules_say_in_comment_lines_what_each_whole_command_grants_beyond_need()
    {
        var comments = Rules().BeyondNeed(AclDialect.DragonFly);
        Assert.Equal(5, comments.Count);
        Assert.All(comments, c => Assert.StartsWith("# DragonFly has no subcommand rules: +", c, StringComparison.Ordinal));
        Assert.Contains(comments, c => c.StartsWith("# DragonFly has no subcommand rules: +client (for CLIENT ID, CLIENT SETNAME) also grants CLIENT KILL", StringComparison.Ordinal));
        Assert.Contains(comments, c => c.Contains("+xgroup (for XGROUP CREATE) also grants XGROUP DESTROY", StringComparison.Ordinal));
        Assert.Contains(comments, c => c.Contains("+script (for SCRIPT LOAD) also grants SCRIPT FLUSH", StringComparison.Ordinal));
        Assert.DoesNotContain(comments, c => c.Contains("+hello", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(new string[0], AclDialect.Redis)]
    [InlineData(new[] { "--server", "dragonfly" }, AclDialect.DragonFly)]
    [InlineData(new[] { "--server", "DragonFly" }, AclDialect.DragonFly)]
    [InlineData(new[] { "--server", "valkey" }, AclDialect.Redis)]
    [InlineData(new[] { "--server", "redis" }, AclDialect.Redis)]
    public void The_server_option_picks_the_dialect(string[] arguments, AclDialect expected)
    {
        var (dialect, error) = AclArguments.Parse(arguments);
        Assert.Null(error);
        Assert.Equal(expected, dialect);
    }

    [Theory]
    [InlineData(new[] { "--server" }, "acl --server needs a value")]
    [InlineData(new[] { "--server", "garnet" }, "acl --server 'garnet' is not valid: use acl [--server redis|valkey|dragonfly]")]
    [InlineData(new[] { "--dragonfly" }, "acl '--dragonfly' is not valid")]
    public void A_wrong_option_is_one_line_naming_it(string[] arguments, string expected)
    {
        var (_, error) = AclArguments.Parse(arguments);
        Assert.StartsWith(expected, error, StringComparison.Ordinal);
    }
}
