using PubSubDemo.Shared.Connection;
using PubSubDemo.Messaging.Connection;
using StackExchange.Redis;

namespace PubSubDemo.Testing;

/// <summary>The server programs the fixtures can start.</summary>
public enum TestServerKind
{
    Redis,
    Valkey,
    Garnet,
}

/// <summary>
/// Which server program the fixtures start (<see cref="RedisServerProcess"/>, <see cref="TlsServerProcess"/>,
/// <see cref="RedisCluster"/>): <c>PUBSUBDEMO_TEST_SERVER=redis</c> (the default) starts redis-server and redis-cli,
/// <c>valkey</c> valkey-server and valkey-cli (Debian's bookworm-backports), <c>garnet</c> Microsoft Garnet's
/// <c>garnet-server</c> dotnet tool (no streams, no cluster here; Lua is switched on). scripts/test.sh runs the
/// integration, fault, cluster and trust suites a second time with <c>valkey</c>.
/// </summary>
public static class TestServer
{
    public const string Variable = "PUBSUBDEMO_TEST_SERVER";

    /// <summary>Where <c>dotnet tool install garnet-server --tool-path …</c> put Garnet, when not on PATH or in ~/.dotnet/tools.</summary>
    public const string GarnetPathVariable = "PUBSUBDEMO_GARNET";

    public static TestServerKind Kind { get; } = Read(Environment.GetEnvironmentVariable(Variable));

    /// <summary>The product, as the test output names it: Redis, Valkey or Garnet.</summary>
    public static string Product => Kind.ToString();

    /// <summary>The server program's file name: redis-server, valkey-server or garnet-server.</summary>
    public static string ServerProgram => Kind switch
    {
        TestServerKind.Valkey => "valkey-server",
        TestServerKind.Garnet => "garnet-server",
        _ => "redis-server",
    };

    /// <summary>The command-line client beside it (Garnet has none: redis-cli speaks to it).</summary>
    public static string CliProgram => Kind == TestServerKind.Valkey ? "valkey-cli" : "redis-cli";

    /// <summary>What to install when the program is missing, for the error a test fails with.</summary>
    public static string InstallHint => Kind switch
    {
        TestServerKind.Valkey => "apt-get install -t bookworm-backports valkey-server valkey-tools (scripts/test.sh adds the suite)",
        TestServerKind.Garnet => $"dotnet tool install --global garnet-server, or set {GarnetPathVariable} to the garnet-server file",
        _ => "apt-get install -y redis-server (it brings redis-cli)",
    };

    /// <summary>True when the suites run against Redis itself (some tests name a Redis-only behaviour).</summary>
    public static bool IsRedis => Kind == TestServerKind.Redis;

    /// <summary>The product and version a server reports, e.g. "Valkey 8.0.1" (Valkey also claims redis_version:7.2.4).</summary>
    public static async Task<string> VersionAsync(IServer server)
    {
        try
        {
            var (kind, version) = ServerProfile.Identify(await server.InfoRawAsync("server") ?? "");
            return ServerProfile.ProductName(kind, version);
        }
        catch (RedisException ex)
        {
            return $"version unknown: {ex.Message}";
        }
    }

    public static TestServerKind Read(string? value) => (value ?? "").Trim().ToLowerInvariant() switch
    {
        "" or "redis" => TestServerKind.Redis,
        "valkey" => TestServerKind.Valkey,
        "garnet" => TestServerKind.Garnet,
        _ => throw new InvalidOperationException($"{Variable}='{value}' is not valid: use redis, valkey or garnet."),
    };

    /// <summary>The full path of <paramref name="program"/> on PATH or in the usual places, or null.</summary>
    public static string? Find(string program)
    {
        if (program == "garnet-server" && Environment.GetEnvironmentVariable(GarnetPathVariable) is { Length: > 0 } given)
        {
            return File.Exists(given) ? given : null;
        }

        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var places = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/bin", "/usr/local/bin", "/usr/sbin", Path.Combine(home, ".dotnet", "tools")]);
        return places.Select(dir => Path.Combine(dir, program)).FirstOrDefault(File.Exists);
    }

    /// <summary>
    /// The server's own options for a plain node on <paramref name="port"/>: no snapshots, append-only persistence
    /// only when <paramref name="persistent"/>. Redis and Valkey share them; Garnet has its own names, and runs Lua
    /// only when asked (<paramref name="lua"/>; Redis and Valkey cannot turn it off).
    /// </summary>
    public static List<string> BaseArguments(int port, string directory, bool persistent, bool lua = true)
    {
        if (Kind == TestServerKind.Garnet)
        {
            // In memory only: Garnet's --logdir needs its tiered storage, and the tests that restart a persistent server
            // (the fault suite) run on Redis and Valkey.
            if (persistent)
            {
                throw new InvalidOperationException($"{Variable}=garnet starts Garnet in memory only; the tests that restart a persistent server run on redis or valkey.");
            }

            List<string> garnet = ["--port", $"{port}", "--bind", "127.0.0.1"];
            if (lua)
            {
                garnet.Add("--lua");
            }

            return garnet;
        }

        List<string> arguments =
        [
            "--port", $"{port}", "--bind", "127.0.0.1", "--dir", directory, "--save", "",
            "--appendonly", persistent ? "yes" : "no", "--protected-mode", "no", "--daemonize", "no",
        ];
        if (persistent)
        {
            arguments.AddRange(["--appendfsync", "always"]);
        }

        return arguments;
    }
}
