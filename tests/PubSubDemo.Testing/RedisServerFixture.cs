using DotNet.Testcontainers.Builders;
using StackExchange.Redis;
using Testcontainers.Redis;
using Xunit;

namespace PubSubDemo.Testing;

/// <summary>
/// One server per test collection, chosen in this order: PUBSUBDEMO_TEST_REDIS (an address you give);
/// DragonFly through Testcontainers where a Docker engine answers; a redis-server process on a free port (valkey-server
/// or garnet-server with PUBSUBDEMO_TEST_SERVER, <see cref="TestServer"/>);
/// else a failure that says what to install.
/// </summary>
public sealed class RedisServerFixture : IAsyncLifetime
{
    public const string DragonFlyImage = "docker.dragonflydb.io/dragonflydb/dragonfly:v1.40.1";
    public const string AddressVariable = "PUBSUBDEMO_TEST_REDIS";

    private RedisContainer? _container;
    private RedisServerProcess? _process;

    public string Address { get; private set; } = "";

    /// <summary>What the tests ran against, for the test output.</summary>
    public string Kind { get; private set; } = "";

    /// <summary>What the tests ran against and the version it reports, e.g. "redis-server process on port 41234 (Redis 7.0.15)".</summary>
    public string Description { get; private set; } = "";

    /// <summary>A client for arranging and checking state: raw pushes, list lengths, dead letters.</summary>
    public ConnectionMultiplexer Client { get; private set; } = null!;

    public IDatabase Database => Client.GetDatabase();

    public async Task InitializeAsync()
    {
        if (Environment.GetEnvironmentVariable(AddressVariable) is { Length: > 0 } given)
        {
            Address = given;
            Kind = $"the server at {given} ({AddressVariable})";
        }
        else if (await TryStartDragonFlyAsync() is { } container)
        {
            _container = container;
            Address = container.GetConnectionString();
            Kind = $"DragonFly in Docker ({DragonFlyImage})";
        }
        else
        {
            _process = await RedisServerProcess.StartAsync();
            Address = _process.Address;
            Kind = $"{RedisServerProcess.ProgramName} process on port {_process.Port}";
        }

        Client = await ConnectionMultiplexer.ConnectAsync($"{Address},allowAdmin=true");
        Description = $"{Kind} ({await VersionAsync()})";
    }

    /// <summary>The keys that match a glob, e.g. every processing list of one queue.</summary>
    public async Task<IReadOnlyList<string>> KeysAsync(string pattern)
    {
        var keys = new List<string>();
        await foreach (var key in Client.GetServer(Client.GetEndPoints()[0]).KeysAsync(pattern: pattern))
        {
            keys.Add(key.ToString());
        }

        return keys;
    }

    private Task<string> VersionAsync() => TestServer.VersionAsync(Client.GetServer(Client.GetEndPoints()[0]));

    private static async Task<RedisContainer?> TryStartDragonFlyAsync()
    {
        if (Environment.GetEnvironmentVariable("PUBSUBDEMO_TEST_NO_DOCKER") == "1")
        {
            return null;
        }

        try
        {
            var container = new RedisBuilder(DragonFlyImage).Build();
            await container.StartAsync();
            return container;
        }
        catch (DockerUnavailableException)
        {
            return null;
        }
        catch (Exception ex) when (ex.GetType().Name.Contains("Docker", StringComparison.Ordinal))
        {
            return null;
        }
    }

    public async Task DisposeAsync()
    {
        if (Client is not null)
        {
            await Client.DisposeAsync();
        }

        if (_container is not null)
        {
            await _container.DisposeAsync();
        }

        if (_process is not null)
        {
            await _process.DisposeAsync();
        }
    }
}
