using System.Diagnostics;
using PubSubDemo.Shared.Configuration;
using PubSubDemo.Messaging.Configuration;
using System.Reflection;

namespace PubSubDemo.Testing;

/// <summary>Runs a built service with a verb (<c>dotnet PubSubDemo.Publisher.dll acl</c>), as a user would, and returns what it printed.</summary>
public static class ServiceVerb
{
    public static Task<(int ExitCode, string Output, string Errors)> RunAsync(string service, string verb, IDictionary<string, string?> environment) =>
        RunAsync(service, [verb], environment);

    /// <summary>The verb and its arguments (<c>redrive --limit 2</c>) as separate command-line arguments.</summary>
    public static async Task<(int ExitCode, string Output, string Errors)> RunAsync(string service, string[] arguments, IDictionary<string, string?> environment)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(ServiceProcess.FindServiceDll(service));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var name in typeof(EnvironmentNames).GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (string)f.GetRawConstantValue()!))
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(deadline.Token);
        return (process.ExitCode, await output, await errors);
    }
}
