using System.ComponentModel;
using System.Diagnostics;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace PubSubDemo.IntegrationTests;

/// <summary>The compose file users start the demo with: valid, pinned, and scalable. No Docker engine needed.</summary>
public sealed partial class ComposeFileTests(ITestOutputHelper output)
{
    private static readonly string ComposeFile = Repository.File("docker-compose.yml");

    [Fact]
    public async Task Compose_file_is_valid_for_docker_compose()
    {
        var command = await FindComposeAsync() ?? throw new Xunit.Sdk.XunitException(
            "docker-compose is not installed, so the compose file cannot be validated: install it " +
            "(apt-get install docker-compose, or the Docker Compose plugin); scripts/test.sh installs it.");
        output.WriteLine($"Server: none (the file is validated offline); validating {ComposeFile} with {string.Join(' ', command)}");

        var (exitCode, text) = await RunAsync(command, ["-f", ComposeFile, "config", "-q"]);
        output.WriteLine(text);

        Assert.True(exitCode == 0, $"{string.Join(' ', command)} -f docker-compose.yml config -q exited with {exitCode}:\n{text}");
    }

    [Fact]
    public void Compose_file_pins_DragonFly_waits_for_it_to_be_healthy_and_lets_the_subscriber_scale()
    {
        output.WriteLine($"Server: none (reads {ComposeFile})");
        var services = Services(File.ReadAllLines(ComposeFile));
        Assert.Contains("dragonfly", services.Keys);
        Assert.Contains("subscriber", services.Keys);

        var image = Assert.Single(Values(services["dragonfly"], "image"));
        Assert.DoesNotMatch(LatestTag(), image);
        Assert.Matches(VersionTag(), image);
        Assert.Equal(RedisServerFixture.DragonFlyImage, image);
        Assert.Contains(services["dragonfly"], line => line.TrimStart().StartsWith("healthcheck:", StringComparison.Ordinal));

        var subscriber = services["subscriber"];
        Assert.Empty(Values(subscriber, "container_name"));
        Assert.Empty(FixedHostPorts(subscriber));
        foreach (var name in new[] { "subscriber", "publisher" })
        {
            var dependsOn = Block(services[name], "depends_on");
            Assert.True(dependsOn.Count > 0, $"{name} has no depends_on");
            Assert.Contains(dependsOn, line => line.Trim() == "dragonfly:");
            Assert.Equal(["service_healthy"], Values(dependsOn, "condition"));
        }
    }

    /// <summary>docker-compose (v1) or the docker compose plugin, whichever answers.</summary>
    private static async Task<string[]?> FindComposeAsync()
    {
        foreach (var candidate in new[] { new[] { "docker-compose" }, ["docker", "compose"] })
        {
            try
            {
                var (exitCode, _) = await RunAsync(candidate, ["version"]);
                if (exitCode == 0)
                {
                    return candidate;
                }
            }
            catch (Win32Exception)
            {
                // Not on PATH.
            }
        }

        return null;
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string[] command, string[] arguments)
    {
        var start = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = Repository.Root };
        foreach (var argument in command.Skip(1).Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, (await stdout) + (await stderr));
    }

    /// <summary>The lines of each top-level service, without comments: enough YAML for the checks above.</summary>
    private static Dictionary<string, List<string>> Services(string[] lines)
    {
        var services = new Dictionary<string, List<string>>();
        List<string>? current = null;
        var inServices = false;
        foreach (var raw in lines)
        {
            var line = StripComment(raw);
            if (line.Trim().Length == 0)
            {
                continue;
            }

            var indent = line.Length - line.TrimStart().Length;
            if (indent == 0)
            {
                inServices = line.TrimEnd() == "services:";
                current = null;
            }
            else if (inServices && indent == 2 && line.TrimEnd().EndsWith(':'))
            {
                current = services[line.Trim().TrimEnd(':')] = [];
            }
            else if (current is not null && indent > 2)
            {
                current.Add(line);
            }
        }

        return services;
    }

    /// <summary>The lines nested under <paramref name="key"/> (at any depth in <paramref name="lines"/>).</summary>
    private static List<string> Block(List<string> lines, string key)
    {
        var start = lines.FindIndex(l => l.Trim() == $"{key}:");
        if (start < 0)
        {
            return [];
        }

        var indent = Indent(lines[start]);
        return lines.Skip(start + 1).TakeWhile(l => Indent(l) > indent).ToList();
    }

    private static List<string> Values(List<string> lines, string key) =>
        lines.Select(l => l.Trim())
            .Where(l => l.StartsWith($"{key}:", StringComparison.Ordinal))
            .Select(l => l[(key.Length + 1)..].Trim().Trim('"', '\''))
            .ToList();

    /// <summary>Published ports that name a host port ("6379:6379", long syntax "published:"), which a second replica could not bind.</summary>
    private static List<string> FixedHostPorts(List<string> service)
    {
        var ports = Block(service, "ports").Select(l => l.Trim().TrimStart('-').Trim().Trim('"', '\'')).ToList();
        return ports.Where(p => p.StartsWith("published:", StringComparison.Ordinal) || HostPort().IsMatch(p)).ToList();
    }

    private static int Indent(string line) => line.Length - line.TrimStart().Length;

    private static string StripComment(string line)
    {
        var hash = line.IndexOf('#', StringComparison.Ordinal);
        return hash < 0 ? line : hash == 0 || char.IsWhiteSpace(line[hash - 1]) ? line[..hash] : line;
    }

    [GeneratedRegex(@":latest$")]
    private static partial Regex LatestTag();

    [GeneratedRegex(@":v?\d+\.\d+(\.\d+)?(@sha256:[0-9a-f]{64})?$")]
    private static partial Regex VersionTag();

    [GeneratedRegex(@"^(\d{1,3}(\.\d{1,3}){3}:)?\d+(-\d+)?:\d+")]
    private static partial Regex HostPort();
}
