using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using PubSubDemo.Shared.Configuration;
using PubSubDemo.Messaging.Configuration;
using PubSubDemo.Shared.Connection;
using PubSubDemo.Messaging.Connection;

namespace PubSubDemo.Shared.Hosting;

internal static class ServiceDefaults
{
    /// <summary>Graceful shutdown budget; the compose stop grace period is set above it.</summary>
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(15);

    /// <summary>
    /// The host's settings: no reload of appsettings.json on change. The services read the environment, and the
    /// default watches the working directory with inotify: run from a busy directory (the repository, /tmp during a
    /// test run), the subscriber spent up to 10 ms of CPU a second on file events while idle (perf, issue 21).
    /// </summary>
    /// <remarks>
    /// Called first, before any socket exists, it also asks the runtime to run socket completions on its epoll thread
    /// (<see cref="InlineSocketCompletions"/>) unless the environment already says otherwise.
    /// </remarks>
    public static HostApplicationBuilderSettings Settings(string[] args)
    {
        PreferInlineSocketCompletions();
        var configuration = new ConfigurationManager();
        configuration.AddInMemoryCollection([new("hostBuilder:reloadConfigOnChange", "false")]);
        return new HostApplicationBuilderSettings { Args = args, Configuration = configuration };
    }

    /// <summary>The runtime's switch, read once when the first socket is made (SocketAsyncEngine).</summary>
    public const string InlineSocketCompletions = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>
    /// Socket completions run on the runtime's epoll thread instead of waking a thread-pool worker for each read: one
    /// thread hop less per message, which on an idle 2-core machine is most of a message's cost (issue 21: the
    /// subscriber's wake-ups per message at 1,000 msg/s fell from 5.5-6.0 to 3.8-3.9 and its p99 in each pair).
    /// Safe here because StackExchange.Redis completes its replies with RunContinuationsAsynchronously and its
    /// ChannelMessageQueue resumes readers on the thread pool, so no handler runs on the epoll thread.
    /// A value already in the environment (e.g. <c>0</c>, to compare) wins.
    /// </summary>
    private static void PreferInlineSocketCompletions()
    {
        if (Environment.GetEnvironmentVariable(InlineSocketCompletions) is null)
        {
            Environment.SetEnvironmentVariable(InlineSocketCompletions, "1");
        }
    }

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

        // Settings come from the environment. The command line names a verb and its arguments, which the host's
        // command-line provider would read as settings too: `redrive --queue --limit 2` would set QUEUE to "--limit".
        foreach (var commandLine in builder.Configuration.Sources.OfType<CommandLineConfigurationSource>().ToList())
        {
            builder.Configuration.Sources.Remove(commandLine);
        }

        return builder;
    }

    /// <summary>
    /// Runs the host; a bad setting prints one line per problem (variable, value, what is allowed) and exits 2, as does a
    /// setting the server turns out not to serve once reached (<see cref="RedisConnection.Refusal"/>),
    /// without a stack trace for a user's typo. When the first command-line argument names a registered
    /// <see cref="IServiceVerb"/> (<c>--healthcheck all</c>), that verb runs instead of the workers and its result is the exit code.
    /// </summary>
    public static async Task<int> RunServiceAsync(this IHost host)
    {
        if (FindVerb(host.Services, Environment.GetCommandLineArgs().Skip(1).ToList()) is ({ } verb, { } arguments))
        {
            using (host)
            {
                // Only the settings are checked: the full start-up validation would build the exporters, and a verb
                // beside a running service must not try to take its ports.
                var errors = host.Services.GetServices<ISettingsErrors>().SelectMany(s => s.Errors);
                return await ReportAsync(errors) ? 2 : await verb.RunAsync(arguments, CancellationToken.None);
            }
        }

        try
        {
            host.Services.GetService<IStartupValidator>()?.Validate();
        }
        catch (Exception ex) when (ex is OptionsValidationException or AggregateException)
        {
            var failures = ex is AggregateException aggregate
                ? aggregate.InnerExceptions.OfType<OptionsValidationException>().SelectMany(e => e.Failures)
                : ((OptionsValidationException)ex).Failures;
            await ReportAsync(failures);
            return 2;
        }

        using (host)
        {
            await host.StartAsync();
            await host.WaitForShutdownAsync();

            // A server that cannot serve these settings (the start-up probe) is a bad setting too, found once connected.
            if (host.Services.GetService<RedisConnection>()?.Refusal is { Count: > 0 })
            {
                return 2;
            }

            // A worker that failed has already been logged by the host; make it visible to scripts and orchestrators too.
            var failed = host.Services.GetServices<IHostedService>().OfType<BackgroundService>().Any(s => s.ExecuteTask?.IsFaulted == true);
            return failed ? 1 : Environment.ExitCode;
        }
    }

    /// <summary>Prints one line per bad setting; true when there was any.</summary>
    private static async Task<bool> ReportAsync(IEnumerable<string> failures)
    {
        var any = false;
        foreach (var failure in failures.Distinct())
        {
            await Console.Error.WriteLineAsync($"error: {failure}");
            any = true;
        }

        return any;
    }

    /// <summary>The verb named by the first argument (<c>--name</c>, <c>name</c> or <c>--name=value</c>) and the arguments after it.</summary>
    private static (IServiceVerb Verb, IReadOnlyList<string> Arguments)? FindVerb(IServiceProvider services, List<string> commandLine)
    {
        if (commandLine.Count == 0)
        {
            return null;
        }

        var first = commandLine[0].TrimStart('-', '/');
        var equals = first.IndexOf('=', StringComparison.Ordinal);
        var name = equals < 0 ? first : first[..equals];
        if (services.GetServices<IServiceVerb>().FirstOrDefault(v => string.Equals(v.Name, name, StringComparison.OrdinalIgnoreCase)) is not { } verb)
        {
            return null;
        }

        IReadOnlyList<string> rest = equals < 0 ? [.. commandLine.Skip(1)] : [first[(equals + 1)..], .. commandLine.Skip(1)];
        return (verb, rest);
    }
}
