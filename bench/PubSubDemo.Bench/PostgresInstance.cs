using System.Diagnostics;
using System.Globalization;

namespace PubSubDemo.Bench;

/// <summary>
/// The outbox section's PostgreSQL: Debian's <c>postgresql</c> server binaries, a data directory of its own in a temp
/// folder, started and stopped with pg_ctl on a free loopback port (no Unix socket, trust on loopback). Never as root:
/// under root every PostgreSQL program runs as the <c>postgres</c> system user through runuser, as the tests' fixture
/// does. The server keeps its default durability (fsync and synchronous commit on), like the SQLite file beside it.
/// </summary>
internal sealed class PostgresInstance(string bin, string data, int port, string version) : IAsyncDisposable
{
    public int Port => port;

    /// <summary>"PostgreSQL 15 (as postgres, …)", for the report.</summary>
    public string Version => version;

    private static bool IsRoot => Environment.UserName == "root";

    /// <summary>The newest installed server's bin directory, or null when Debian's postgresql is not installed.</summary>
    public static string? BinDirectory() =>
        Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(b => File.Exists(Path.Combine(b, "pg_ctl")))
                .MaxBy(b => int.TryParse(Path.GetFileName(Path.GetDirectoryName(b)), CultureInfo.InvariantCulture, out var major) ? major : 0)
            : null;

    /// <summary>Starts a new server, or says in one line why it could not.</summary>
    public static async Task<(PostgresInstance? Server, string? Why)> TryStartAsync()
    {
        if (BinDirectory() is not { } bin)
        {
            return (null, "Debian's postgresql is not installed (no /usr/lib/postgresql/*/bin/pg_ctl); bench/run.sh installs it");
        }

        // Under root the folder is /tmp's (not a private TMPDIR), handed to the postgres user who owns the data.
        var folder = IsRoot
            ? Directory.CreateDirectory(Path.Combine("/tmp", $"pubsubdemo-bench-pg-{Guid.NewGuid():N}")).FullName
            : Directory.CreateTempSubdirectory("pubsubdemo-bench-pg-").FullName;
        var data = Path.Combine(folder, "data");
        var port = RedisServer.FreePort();
        try
        {
            if (IsRoot)
            {
                await RunAsync("chown", ["postgres:postgres", folder], asPostgres: false);
            }

            await RunAsync(Path.Combine(bin, "initdb"), ["-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C"], asPostgres: true);
            await RunAsync(Path.Combine(bin, "pg_ctl"), ["-D", data, "-l", Path.Combine(folder, "postgres.log"), "-w", "-t", "60",
                "-o", $"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories= -c max_connections=50", "start"], asPostgres: true);
            var major = Path.GetFileName(Path.GetDirectoryName(bin));
            return (new PostgresInstance(bin, data, port, $"PostgreSQL {major} (as {(IsRoot ? "postgres" : Environment.UserName)}, fsync and synchronous commit on)"), null);
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception or IOException or OperationCanceledException)
        {
            return (null, $"PostgreSQL did not start: {ex.Message.ReplaceLineEndings(" ")}");
        }
    }

    /// <summary>A connection string for a database of this server; EF Core's EnsureCreated makes it.</summary>
    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Timeout=15;Command Timeout=60";

    public async ValueTask DisposeAsync()
    {
        try
        {
            await RunAsync(Path.Combine(bin, "pg_ctl"), ["-D", data, "-m", "fast", "-w", "-t", "20", "stop"], asPostgres: true);
            Directory.Delete(Path.GetDirectoryName(data)!, recursive: true);
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or UnauthorizedAccessException or OperationCanceledException)
        {
            Console.Error.WriteLine($"bench: PostgreSQL on port {Port} did not stop cleanly: {ex.Message}");
        }
    }

    private static async Task RunAsync(string program, IReadOnlyList<string> arguments, bool asPostgres)
    {
        var start = new ProcessStartInfo(asPostgres && IsRoot ? "/usr/sbin/runuser" : program)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = "/",
        };
        foreach (var argument in (asPostgres && IsRoot ? ["-u", "postgres", "--", program] : Array.Empty<string>()).Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(deadline.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(program)} exited with {process.ExitCode}: {(await error).Trim()} {(await output).Trim()}");
        }
    }
}
