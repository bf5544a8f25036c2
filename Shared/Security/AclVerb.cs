using PubSubDemo.Messaging.Security;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using PubSubDemo.Shared.Configuration;
using PubSubDemo.Messaging.Configuration;
using PubSubDemo.Shared.Hosting;

namespace PubSubDemo.Shared.Security;

/// <summary>
/// <c>acl</c>: prints the <c>ACL SETUSER</c> line for the user REDIS_ADDR names, with exactly the commands, keys and
/// channels this service uses with its current settings. Pipe it to redis-cli as an administrator. <c>acl --server
/// dragonfly</c> writes whole commands where DragonFly has no subcommand rules (<see cref="AclDialect"/>) and says on
/// standard error, in comment lines, what that grants beyond need; without <c>--server</c> the server is asked which it
/// is when it can be reached (<see cref="AclServerDetection"/>). The rules and the
/// settings are resolved only when the verb runs (after the settings were checked): looking verbs up by name must not
/// build, and so validate, every settings class.
/// </summary>
internal sealed class AclVerb(IServiceProvider services) : IServiceVerb
{
    /// <summary>Printed instead of a password when none is configured, so that the line is never used as is by mistake.</summary>
    public const string PasswordPlaceholder = "CHANGE-ME";

    public string Name => "acl";

    public async Task<int> RunAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var (dialect, error) = AclArguments.Parse(arguments);
        if (error is not null)
        {
            await Console.Error.WriteLineAsync(("error: " + error).AsMemory(), cancellationToken);
            return 2;
        }

        var redis = services.GetRequiredService<RedisSettings>();
        if (!arguments.Contains("--server"))
        {
            (dialect, var found) = await AclServerDetection.DetectAsync(redis.Options, cancellationToken);
            await Console.Error.WriteLineAsync(found.AsMemory(), cancellationToken);
        }

        var rules = new AccessRules();
        foreach (var part in services.GetServices<IServerAccess>())
        {
            part.Describe(rules);
        }

        // What a whole-command rule grants beyond need goes to standard error, as comment lines: standard output stays
        // the one line that can be piped to redis-cli, which would answer a '#' line with an error.
        foreach (var comment in rules.BeyondNeed(dialect))
        {
            await Console.Error.WriteLineAsync(comment.AsMemory(), cancellationToken);
        }

        var user = redis.Options.User ?? DefaultUser;
        await Console.Out.WriteLineAsync(rules.ToSetUser(user, redis.Options.Password ?? PasswordPlaceholder, dialect).AsMemory(), cancellationToken);
        return 0;
    }

    /// <summary><c>pubsubdemo-publisher</c> and so on, after the service's assembly, when REDIS_ADDR names no user.</summary>
    private static string DefaultUser =>
        "pubsubdemo-" + (Assembly.GetEntryAssembly()?.GetName().Name ?? "service").Replace("PubSubDemo.", "", StringComparison.Ordinal).ToLowerInvariant();
}

internal static class AccessServiceCollectionExtensions
{
    /// <summary>Registers one part's rules, and the <c>acl</c> verb that prints them all.</summary>
    public static IServiceCollection AddServerAccess<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] T>(this IServiceCollection services)
        where T : class, IServerAccess
    {
        services.AddSingleton<IServerAccess, T>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IServiceVerb, AclVerb>());
        return services;
    }
}
