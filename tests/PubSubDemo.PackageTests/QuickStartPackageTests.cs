using System.Diagnostics;
using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Xunit.Abstractions;

namespace PubSubDemo.PackageTests;

/// <summary>
/// The package <c>dotnet pack</c> makes stands on its own: samples/QuickStart, copied out of the repository into a
/// temporary folder (so none of the repository's Directory.Build.props, Directory.Packages.props or its project
/// reference reaches it), builds against the package from a local folder feed and sends its 10 orders through a real
/// server. Every step has a deadline.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed partial class QuickStartPackageTests(RedisServerFixture server, ITestOutputHelper output) : IDisposable
{
    private const int Orders = 10;

    // The pack only zips what the solution build made; the build restores from the feed and the machine's packages
    // and compiles one small project. Generous, because other builds may share the two cores.
    private static readonly TimeSpan PackTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(60);

    private static readonly string Library = Repository.File("Shared/PubSubDemo.Messaging/PubSubDemo.Messaging.csproj");

    private readonly string _root = Directory.CreateTempSubdirectory("pubsubdemo-package-").FullName;

    [Fact]
    public async Task The_QuickStart_built_against_the_packed_library_from_a_folder_feed_handles_each_of_its_10_orders_and_exits_0()
    {
        var feed = Path.Combine(_root, "feed");
        var app = Path.Combine(_root, "QuickStart");
        // A version no earlier run can have left in a packages folder, so the package restored is the one packed now.
        var version = $"{LibraryVersion()}-packagetest.{DateTime.UtcNow:yyyyMMddHHmmss}";
        await DotnetAsync("pack", Repository.Root, PackTimeout, "pack", Library, "-c", BuildConfiguration, "--no-build", $"-p:PackageVersion={version}", "-o", feed);
        Assert.True(File.Exists(Path.Combine(feed, $"PubSubDemo.Messaging.{version}.nupkg")), $"dotnet pack wrote no PubSubDemo.Messaging.{version}.nupkg into {feed}");

        CopySample(app);
        WriteStandaloneBuildFiles(feed);
        await DotnetAsync("build", app, BuildTimeout, "build", "QuickStart.csproj", "-c", "Release", $"-p:MessagingPackageVersion={version}", "-nodeReuse:false");

        // The library came in as a package from the feed, not as a project.
        var assets = await File.ReadAllTextAsync(Path.Combine(app, "obj", "project.assets.json"));
        Assert.Contains($"\"PubSubDemo.Messaging/{version}\"", assets, StringComparison.Ordinal);
        Assert.DoesNotContain("\"type\": \"project\"", assets, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_root, "packages", "pubsubdemo.messaging", version, $"pubsubdemo.messaging.{version}.nupkg")), "the package was not restored from the folder feed");
        // Everything else came from the machine's packages folder (the fallback): what had to be fetched is listed here.
        output.WriteLine($"restored into the test's packages folder: {string.Join(", ", Directory.EnumerateDirectories(Path.Combine(_root, "packages")).Select(Path.GetFileName))}");

        var clock = Stopwatch.StartNew();
        await using var quickStart = ServiceProcess.StartExecutable(
            "dotnet",
            new Dictionary<string, string?> { ["REDIS_ADDR"] = server.Address },
            Path.Combine(app, "bin", "Release", "net10.0", "PubSubDemo.QuickStart.dll"));
        int exitCode;
        try
        {
            exitCode = await quickStart.WaitForExitAsync(RunTimeout);
        }
        finally
        {
            output.WriteLine($"--- QuickStart against {server.Description} ({clock.Elapsed.TotalSeconds:0.0} s)");
            foreach (var line in quickStart.Output)
            {
                output.WriteLine(line);
            }
        }

        Assert.Equal(0, exitCode);
        var handled = quickStart.Output.Select(line => HandledLine().Match(line)).Where(m => m.Success).Select(m => m.Groups["id"].Value).ToList();
        Assert.Equal(Orders, handled.Count);
        Assert.Equal(Orders, handled.Distinct(StringComparer.Ordinal).Count());
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temporary folder is no failure of the package.
        }
    }

    /// <summary>The build configuration of this test assembly, which the solution build also gave the library.</summary>
    private static string BuildConfiguration =>
        typeof(QuickStartPackageTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    /// <summary>The library's &lt;Version&gt;, as its project file states it.</summary>
    private static string LibraryVersion() =>
        XDocument.Load(Library).Descendants("Version").Select(e => e.Value.Trim()).FirstOrDefault(v => v.Length > 0)
        ?? throw new InvalidOperationException($"{Library} states no <Version>");

    /// <summary>The sample's own files: its project, its code and its settings, without bin/ and obj/.</summary>
    private static void CopySample(string app)
    {
        var sample = Repository.File("samples/QuickStart");
        foreach (var file in Directory.EnumerateFiles(sample, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(sample, file);
            if (relative.StartsWith("bin" + Path.DirectorySeparatorChar, StringComparison.Ordinal) || relative.StartsWith("obj" + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                continue;
            }

            var target = Path.Combine(app, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    /// <summary>
    /// What a service of one's own has beside the sample: the target framework (the repository's
    /// Directory.Build.props sets it for the sample), central package versions with the one package the sample names
    /// itself (the same version as the repository's), and a nuget.config that adds the feed beside the machine's
    /// sources. Restored packages go to a folder of this test, with the machine's packages folder as a fallback, so
    /// nothing is downloaded that the solution's restore already has and nothing is left in the machine's folder.
    /// </summary>
    private void WriteStandaloneBuildFiles(string feed)
    {
        var hosting = XDocument.Load(Repository.File("Directory.Packages.props")).Descendants("PackageVersion")
            .Single(e => (string?)e.Attribute("Include") == "Microsoft.Extensions.Hosting").Attribute("Version")!.Value;
        File.WriteAllText(Path.Combine(_root, "Directory.Build.props"), """
            <Project>
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
              </PropertyGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(_root, "Directory.Packages.props"), $"""
            <Project>
              <PropertyGroup>
                <ManagePackageVersionsCentrally>true</ManagePackageVersionsCentrally>
              </PropertyGroup>
              <ItemGroup>
                <PackageVersion Include="Microsoft.Extensions.Hosting" Version="{hosting}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(_root, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <config>
                <add key="globalPackagesFolder" value="{Path.Combine(_root, "packages")}" />
              </config>
              <packageSources>
                <add key="packed-library" value="{feed}" />
              </packageSources>
              <fallbackPackageFolders>
                <add key="machine-packages" value="{MachinePackages}" />
              </fallbackPackageFolders>
            </configuration>
            """);
    }

    private static string MachinePackages =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } packages
            ? packages
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    private async Task DotnetAsync(string step, string directory, TimeSpan timeout, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments.Append("-nologo"))
        {
            start.ArgumentList.Add(argument);
        }

        // The test's nuget.config names the packages folder; NUGET_PACKAGES would win over it.
        start.Environment.Remove("NUGET_PACKAGES");
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"dotnet {step} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {step} took over {timeout.TotalMinutes:0} minutes:\n{await stdout}\n{await stderr}");
        }

        output.WriteLine($"--- dotnet {string.Join(' ', arguments)} ({clock.Elapsed.TotalSeconds:0.0} s, exit {process.ExitCode})");
        output.WriteLine(await stdout);
        output.WriteLine(await stderr);
        Assert.True(process.ExitCode == 0, $"dotnet {step} failed with exit code {process.ExitCode}:\n{await stdout}\n{await stderr}");
    }

    [GeneratedRegex(@"Handled order (?<id>\S+):")]
    private static partial Regex HandledLine();
}
