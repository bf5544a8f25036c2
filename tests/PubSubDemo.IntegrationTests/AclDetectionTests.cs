using Xunit.Abstractions;

namespace PubSubDemo.IntegrationTests;

/// <summary>The acl verb without --server asks the server which it is, and says so on standard error.</summary>
[Collection(ServerCollection.Name)]
public sealed class AclDetectionTests(RedisServerFixture server, ITestOutputHelper output)
{
    [Fact]
    public async Task Without_the_server_option_the_acl_verb_names_the_server_it_asked_and_writes_its_rules()
    {
        output.WriteLine($"Server: {server.Description}");
        var (exitCode, printed, errors) = await ServiceVerb.RunAsync("Publisher", "acl", new Dictionary<string, string?> { ["REDIS_ADDR"] = server.Address, ["CHANNEL"] = TestNames.Unique("acl-detect") });
        output.WriteLine(errors);

        Assert.Equal(0, exitCode);
        var kind = server.Description.Contains("DragonFly", StringComparison.Ordinal) ? "DragonFly" : server.Description.Contains("Valkey", StringComparison.Ordinal) ? "Valkey" : "Redis";
        Assert.Contains($" is {kind} ", errors, StringComparison.Ordinal);
        Assert.Equal(kind == "DragonFly", !printed.Contains('|', StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_server_it_cannot_reach_leaves_the_Redis_rules_and_says_why()
    {
        var (exitCode, printed, errors) = await ServiceVerb.RunAsync("Publisher", "acl", new Dictionary<string, string?> { ["REDIS_ADDR"] = "127.0.0.1:1", ["CHANNEL"] = TestNames.Unique("acl-detect") });
        output.WriteLine(errors);

        Assert.Equal(0, exitCode);
        Assert.Contains("# could not ask 127.0.0.1:1 which server it is", errors, StringComparison.Ordinal);
        Assert.Contains("+client|id", printed, StringComparison.Ordinal);
    }
}
