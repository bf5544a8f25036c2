using System.Diagnostics;

namespace PubSubDemo.AotTests;

/// <summary>
/// The three services published as Native AOT, once per test run: <c>dotnet publish -c Release -r linux-x64</c> into
/// this test's bin folder (aot/&lt;Service&gt;/). A binary newer than every source file of its service and of Shared is
/// reused, so running the tests again does not publish again. Each publish is timed for the test output.
/// </summary>
public sealed class AotBinaries : IAsyncLifetime
{
    public static readonly string[] Services = ["Publisher", "Subscriber", "Monitor"];

    private static readonly string[] BuildFiles = ["Directory.Build.props", "Directory.Packages.props"];

    // Under the test run's hang timeout (10 minutes in scripts/test.sh); about 3 minutes for all three on an idle
    // 2-core machine, far longer when other builds share the cores.
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromMinutes(9);

    private readonly Dictionary<string, string> _paths = [];

    /// <summary>One line per service: published or reused, and how long it took.</summary>
    public List<string> Log { get; } = [];

    public string PathOf(string service) => _paths[service];

    public async Task InitializeAsync()
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "aot");
        var stale = new List<string>();
        foreach (var service in Services)
        {
            var binary = Path.Combine(folder, service, $"PubSubDemo.{service}");
            _paths[service] = binary;
            if (File.Exists(binary) && NewestSource(service) < File.GetLastWriteTimeUtc(binary))
            {
                Log.Add($"{service}: reused {binary}");
            }
            else
            {
                stale.Add(service);
            }
        }

        // Restored one after another (they share Shared's assets file), then published side by side without
        // rebuilding Shared (the test's own build has just built it; three builds of it at once would race):
        // the native compiler's scanning and the link are single-threaded, so two cores finish sooner this way.
        foreach (var service in stale)
        {
            await DotnetAsync(service, "restore", Project(service), "-r", "linux-x64");
        }

        var clock = Stopwatch.StartNew();
        await Task.WhenAll(stale.Select(async service =>
        {
            await DotnetAsync(service, "publish", Project(service), "-c", "Release", "-r", "linux-x64", "--no-restore", "-p:BuildProjectReferences=false",
                // No native debug symbols: the test never reads them, and writing and stripping them costs link time.
                "-p:NativeDebugSymbols=false", "-o", Path.Combine(folder, service));
            Log.Add($"{service}: published in {clock.Elapsed.TotalSeconds:0} s, {new FileInfo(_paths[service]).Length / (1024.0 * 1024):0.0} MB");
        }));
    }

    private static string Project(string service) => Path.Combine(Repository.Root, service, $"PubSubDemo.{service}.csproj");

    private static async Task DotnetAsync(string service, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments.Concat(["-nologo", "-v", "quiet"]))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"dotnet {arguments[0]} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(PublishTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {arguments[0]} of {service} took over {PublishTimeout.TotalMinutes:0} minutes");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet {arguments[0]} of {service} (Native AOT) failed with {process.ExitCode}:\n{await stdout}\n{await stderr}");
        }
    }

    /// <summary>The last change to anything the service is built from.</summary>
    private static DateTime NewestSource(string service) =>
        new[] { service, "Shared" }
            .SelectMany(folder => Directory.EnumerateFiles(Path.Combine(Repository.Root, folder), "*", SearchOption.AllDirectories))
            .Where(file => !file.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Concat(BuildFiles.Select(Repository.File))
            .Max(File.GetLastWriteTimeUtc);

    public Task DisposeAsync() => Task.CompletedTask;
}

/// <summary>The published binaries and one server, shared by every test here.</summary>
[CollectionDefinition(Name)]
public sealed class AotCollection : ICollectionFixture<AotBinaries>, ICollectionFixture<RedisServerFixture>
{
    public const string Name = "aot";
}
