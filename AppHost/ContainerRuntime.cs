using System.Diagnostics;
using System.ComponentModel;
using Microsoft.Extensions.Configuration;

namespace PubSubDemo.AppHost;

/// <summary>
/// Whether a container engine answers, asked the way DCP will ask it (`docker info`, `podman info`): a docker
/// client with no engine behind it, as on CI, fails within moments.
/// </summary>
internal static class ContainerRuntime
{
    public sealed record Probe(string? Runtime, string Reason);

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    public static async Task<Probe> ProbeAsync(IConfiguration configuration)
    {
        string[] candidates = configuration["ASPIRE_CONTAINER_RUNTIME"] is { Length: > 0 } chosen ? [chosen] : ["docker", "podman"];
        var reasons = new List<string>();
        foreach (var runtime in candidates)
        {
            var (answered, why) = await AsksAsync(runtime);
            if (answered)
            {
                return new Probe(runtime, why);
            }

            reasons.Add(why);
        }

        return new Probe(null, $"no container runtime answered: {string.Join("; ", reasons)}");
    }

    private static async Task<(bool Answered, string Why)> AsksAsync(string runtime)
    {
        var start = new ProcessStartInfo(runtime)
        {
            ArgumentList = { "info", "--format", "{{.ServerVersion}}" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        try
        {
            using var process = Process.Start(start);
            if (process is null)
            {
                return (false, $"{runtime} did not start");
            }

            using var timeout = new CancellationTokenSource(Patience);
            var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var errors = process.StandardError.ReadToEndAsync(timeout.Token);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                return (false, $"`{runtime} info` did not answer within {Patience.TotalSeconds:0}s");
            }

            var version = (await output).Trim();
            var error = (await errors).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
            return process.ExitCode == 0 && version.Length > 0
                ? (true, $"{runtime} engine {version}")
                : (false, $"`{runtime} info` failed{(error is null ? "" : $": {error}")}");
        }
        catch (Win32Exception)
        {
            return (false, $"no {runtime} on PATH");
        }
    }
}
