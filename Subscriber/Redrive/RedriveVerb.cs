using PubSubDemo.Messaging.Redrive;
using PubSubDemo.Shared.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using PubSubDemo.Messaging.Configuration;
using PubSubDemo.Messaging.Connection;
using PubSubDemo.Shared.Hosting;

namespace PubSubDemo.Subscriber.Redrive;

/// <summary>
/// <c>redrive [--queue|--stream] [--limit N] [--dry-run]</c>: moves the dead letters of QUEUE and STREAM (every partition)
/// back with their original payload and a fresh attempt count, then prints per source how many were redriven, skipped
/// and remain, and exits 0. Bad arguments print one line and exit 2; a server that does not answer within
/// <see cref="ConnectTimeout"/> exits 1. Settings and the connection are resolved only when the verb runs.
/// </summary>
internal sealed class RedriveVerb(IServiceProvider services) : IServiceVerb
{
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(30);

    public string Name => "redrive";

    public async Task<int> RunAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var (request, error) = RedriveRequest.Parse(arguments);
        if (request is null)
        {
            await Console.Error.WriteLineAsync($"error: {error}.");
            return 2;
        }

        var connection = services.GetRequiredService<RedisConnection>();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(ConnectTimeout);
        StackExchange.Redis.IConnectionMultiplexer multiplexer;
        try
        {
            multiplexer = await connection.GetAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            await Console.Error.WriteLineAsync($"error: redrive: no answer from {connection.Endpoint} within {ConnectTimeout.TotalSeconds:0}s (REDIS_ADDR).");
            return 1;
        }

        var redriver = new Redriver(multiplexer.GetDatabase(), services.GetRequiredService<MessagingSettings>());
        var left = request.Limit ?? long.MaxValue;
        foreach (var queue in (bool[])[true, false])
        {
            if (!(queue ? request.Queue : request.Stream))
            {
                continue;
            }

            var outcome = await redriver.RunAsync(queue, left, request.DryRun);
            left -= outcome.Redriven;
            var verb = request.DryRun ? "would be redriven (dry run)" : "redriven";
            await Console.Out.WriteLineAsync($"Redrive {outcome.Source} '{outcome.Name}': {outcome.Redriven} {verb}, {outcome.Skipped} skipped (unreadable, left dead), {outcome.Remaining} remain dead");
        }

        return 0;
    }
}

internal static class RedriveServiceCollectionExtensions
{
    /// <summary>Registers the <c>redrive</c> verb.</summary>
    public static IServiceCollection AddRedrive(this IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IServiceVerb, RedriveVerb>());
        return services;
    }
}
