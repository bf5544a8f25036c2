using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace PubSubDemo.Shared.Hosting;

public static class ServiceDefaults
{
    /// <summary>Graceful shutdown budget; the compose stop grace period is set above it.</summary>
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(15);

    /// <summary>What every service shares: one-line console logs, the shutdown budget and the clock.</summary>
    public static IHostApplicationBuilder AddServiceDefaults(this IHostApplicationBuilder builder)
    {
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
            o.UseUtcTimestamp = true;
            o.ColorBehavior = LoggerColorBehavior.Disabled;
        });
        // The client reports every failed reconnect at Error with a stack trace; RedisConnection logs one line per attempt instead.
        builder.Logging.AddFilter("StackExchange.Redis", LogLevel.Critical);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
        builder.Services.Configure<HostOptions>(o =>
        {
            o.ShutdownTimeout = ShutdownTimeout;
            o.BackgroundServiceExceptionBehavior = BackgroundServiceExceptionBehavior.StopHost;
        });
        builder.Services.AddSingleton(TimeProvider.System);
        return builder;
    }

    /// <summary>
    /// Runs the host; a bad setting prints one line per problem (variable, value, what is allowed) and exits 2,
    /// without a stack trace for a user's typo.
    /// </summary>
    public static async Task<int> RunServiceAsync(this IHost host)
    {
        try
        {
            host.Services.GetService<IStartupValidator>()?.Validate();
        }
        catch (Exception ex) when (ex is OptionsValidationException or AggregateException)
        {
            var failures = ex is AggregateException aggregate
                ? aggregate.InnerExceptions.OfType<OptionsValidationException>().SelectMany(e => e.Failures)
                : ((OptionsValidationException)ex).Failures;
            foreach (var failure in failures.Distinct())
            {
                await Console.Error.WriteLineAsync($"error: {failure}");
            }

            return 2;
        }

        // A verb (`acl`) runs instead of the workers, with the validated settings, and its result is the exit code.
        var arguments = Environment.GetCommandLineArgs();
        if (arguments.Length > 1 && host.Services.GetServices<IServiceVerb>().FirstOrDefault(v => v.Name == arguments[1]) is { } verb)
        {
            using (host)
            {
                return await verb.RunAsync(arguments[2..], CancellationToken.None);
            }
        }

        using (host)
        {
            await host.StartAsync();
            await host.WaitForShutdownAsync();

            // A worker that failed has already been logged by the host; make it visible to scripts and orchestrators too.
            var failed = host.Services.GetServices<IHostedService>().OfType<BackgroundService>().Any(s => s.ExecuteTask?.IsFaulted == true);
            return failed ? 1 : Environment.ExitCode;
        }
    }
}
