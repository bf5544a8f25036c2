using System.Diagnostics;
using System.Text;
using Xunit;

namespace PubSubDemo.Testing;

/// <summary>
/// A real PostgreSQL server (Debian's <c>postgresql</c> package) on a free loopback port, with its own data directory
/// under a temp directory, trust authentication on loopback and no Unix socket. It never runs as root: under root
/// (CI) initdb and postgres run as the <c>postgres</c> system user through runuser, with the data directory owned
/// by it. Tests get a database each from <see cref="ConnectionString"/> (EF Core's EnsureCreated makes it).
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private const string SystemUser = "postgres";
    private const string Superuser = "postgres";

    private readonly StringBuilder _log = new();
    private string _directory = "";
    private string _bin = "";
    private Process? _process;

    /// <summary>The loopback port the server listens on.</summary>
    public int Port { get; private set; }

    /// <summary>What the tests ran against, for the test output: "PostgreSQL 15 on port 41234 (as postgres)".</summary>
    public string Description { get; private set; } = "";

    private string DataDirectory => Path.Combine(_directory, "data");

    private static bool IsRoot => Environment.UserName == "root";

    /// <summary>The newest installed server's bin directory (initdb, pg_ctl, postgres), or null.</summary>
    public static string? FindBinDirectory() =>
        Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(dir => Path.Combine(dir, "bin"))
                .Where(bin => File.Exists(Path.Combine(bin, "initdb")))
                .OrderByDescending(bin => int.TryParse(Path.GetFileName(Path.GetDirectoryName(bin)), out var major) ? major : 0)
                .FirstOrDefault()
            : null;

    /// <summary>An Npgsql connection string for <paramref name="database"/> on this server.</summary>
    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Username={Superuser};Database={database};Pooling=true;Timeout=15;Command Timeout=30";

    /// <summary>A database name no other test uses (lower case, so it needs no quoting).</summary>
    public static string UniqueDatabase(string purpose) => $"t_{purpose.ToLowerInvariant()}_{Guid.NewGuid().ToString("N")[..10]}";

    public async Task InitializeAsync()
    {
        _bin = FindBinDirectory() ?? throw new InvalidOperationException(
            "No PostgreSQL server for the tests (no /usr/lib/postgresql/*/bin/initdb): apt-get install -y postgresql (scripts/test.sh installs it).");
        Port = RedisServerProcess.FreePort();
        if (IsRoot)
        {
            // Under /tmp, not $TMPDIR (it may sit in root's private home), and owned by the server's user, who
            // creates the data directory in it.
            _directory = Directory.CreateDirectory(Path.Combine("/tmp", $"pubsubdemo-pg-{Guid.NewGuid():N}")).FullName;
            await RunAsync("chown", [$"{SystemUser}:{SystemUser}", _directory], asServerUser: false);
        }
        else
        {
            _directory = Directory.CreateTempSubdirectory("pubsubdemo-pg-").FullName;
        }

        await RunAsync(Path.Combine(_bin, "initdb"),
            ["-D", DataDirectory, "-U", Superuser, "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"], asServerUser: true);
        StartServer();
        var process = _process!;
        await Wait.UntilAsync(
            async () => process.HasExited
                ? throw new InvalidOperationException($"postgres on port {Port} exited with code {process.ExitCode}: {Tail()}")
                : await IsReadyAsync(),
            $"PostgreSQL answers on port {Port}", TimeSpan.FromSeconds(30));
        Description = $"PostgreSQL {Path.GetFileName(Path.GetDirectoryName(_bin))} on port {Port} (as {(IsRoot ? SystemUser : Environment.UserName)})";
    }

    private void StartServer()
    {
        // Durability off (fsync, full pages, synchronous commit): a test server's data dies with it anyway.
        string[] arguments =
        [
            Path.Combine(_bin, "postgres"), "-D", DataDirectory, "-p", $"{Port}", "-c", "listen_addresses=127.0.0.1",
            "-c", "unix_socket_directories=", "-c", "fsync=off", "-c", "full_page_writes=off", "-c", "synchronous_commit=off",
            "-c", "max_connections=200", "-c", "shared_buffers=32MB",
        ];
        var start = Command(arguments, asServerUser: true);
        _process = Process.Start(start) ?? throw new InvalidOperationException("postgres did not start");
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    private async Task<bool> IsReadyAsync()
    {
        var check = Command([Path.Combine(_bin, "pg_isready"), "-h", "127.0.0.1", "-p", $"{Port}", "-U", Superuser, "-t", "1"], asServerUser: false);
        using var process = Process.Start(check)!;
        await process.WaitForExitAsync();
        return process.ExitCode == 0;
    }

    private static ProcessStartInfo Command(IReadOnlyList<string> arguments, bool asServerUser)
    {
        var start = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = "/",
        };
        IEnumerable<string> line = asServerUser && IsRoot ? ["/usr/sbin/runuser", "-u", SystemUser, "--", .. arguments] : arguments;
        start.FileName = line.First();
        foreach (var argument in line.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        return start;
    }

    private static async Task RunAsync(string program, IReadOnlyList<string> arguments, bool asServerUser)
    {
        using var process = Process.Start(Command([program, .. arguments], asServerUser))!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(deadline.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(program)} failed ({process.ExitCode}): {await error}{await output}");
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.AppendLine(line);
        }
    }

    private string Tail()
    {
        lock (_log)
        {
            var text = _log.ToString();
            return text.Length > 2000 ? text[^2000..] : text;
        }
    }

    public async Task DisposeAsync()
    {
        if (_process is { HasExited: false } process)
        {
            // pg_ctl's fast stop ends the backends too; a kill of the whole tree is the fallback.
            try
            {
                await RunAsync(Path.Combine(_bin, "pg_ctl"), ["-D", DataDirectory, "-m", "fast", "-w", "-t", "10", "stop"], asServerUser: true);
                using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await process.WaitForExitAsync(deadline.Token);
            }
            catch (Exception)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }

        _process?.Dispose();
        try
        {
            if (_directory.Length > 0)
            {
                Directory.Delete(_directory, recursive: true);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
