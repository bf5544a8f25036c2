using StackExchange.Redis;

namespace PubSubDemo.TrustTests;

/// <summary>
/// A redis-server process whose <c>default</c> user is off: only the test's administrator and the users it creates
/// from the services' <c>acl</c> output can connect.
/// </summary>
public sealed class AclServer : IAsyncLifetime
{
    public const string AdminPassword = "admin-secret-for-tests";

    private RedisServerProcess _process = null!;

    public ConnectionMultiplexer Admin { get; private set; } = null!;

    public int Port => _process.Port;

    public async Task InitializeAsync()
    {
        _process = await RedisServerProcess.StartAsync();
        await using (var setup = await ConnectionMultiplexer.ConnectAsync(_process.Address))
        {
            var database = setup.GetDatabase();
            await database.ExecuteAsync("ACL", "SETUSER", "admin", "on", $">{AdminPassword}", "~*", "&*", "+@all");
            await database.ExecuteAsync("ACL", "SETUSER", "default", "off");
        }

        Admin = await ConnectionMultiplexer.ConnectAsync($"{_process.Address},user=admin,password={AdminPassword}");
    }

    /// <summary>REDIS_ADDR for a user: <c>redis://user:password@127.0.0.1:port</c>.</summary>
    public string Url(string user, string password) => $"redis://{user}:{password}@127.0.0.1:{Port}";

    /// <summary>Runs one <c>ACL SETUSER …</c> line as printed by a service, as redis-cli would.</summary>
    public async Task ApplyAsync(string line)
    {
        var words = line.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["ACL", "SETUSER"], words[..2]);
        await Admin.GetDatabase().ExecuteAsync("ACL", [.. words[1..]]);
    }

    /// <summary>The entries of ACL LOG: every command, key or channel the server refused since the last reset.</summary>
    public async Task<List<string>> RefusalsAsync()
    {
        var log = (RedisResult[])(await Admin.GetDatabase().ExecuteAsync("ACL", "LOG"))!;
        return log.Select(entry => string.Join(' ', ((RedisResult[])entry!).Select(field => field.ToString()))).ToList();
    }

    public async Task DisposeAsync()
    {
        await Admin.DisposeAsync();
        await _process.DisposeAsync();
    }
}
