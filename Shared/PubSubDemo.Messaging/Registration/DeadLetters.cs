using Microsoft.Extensions.DependencyInjection;
using PubSubDemo.Messaging.Connection;
using PubSubDemo.Messaging.Contract;
using PubSubDemo.Messaging.Redrive;
using PubSubDemo.Messaging.Registration;

namespace PubSubDemo.Messaging;

/// <summary>What a redrive did: how many dead letters went back, how many could not (not a readable message), and how many remain.</summary>
public sealed record RedriveResult(string Destination, long Redriven, long Skipped, long Remaining);

/// <summary>
/// The dead letters of the queues and streams registered with <see cref="MessagingBuilder"/>: count them, and redrive
/// them back to where they came from (every partition), each with its original payload and a fresh attempt count, one
/// atomic move per message, so an interrupted redrive neither loses nor repeats one.
/// </summary>
public sealed class DeadLetters
{
    private readonly IServiceProvider _services;
    private readonly MessagingBuilder _builder;

    internal DeadLetters(IServiceProvider services, MessagingBuilder builder)
    {
        _services = services;
        _builder = builder;
    }

    /// <summary>How many dead letters <paramref name="destination"/> holds, over its partitions.</summary>
    public async Task<long> CountAsync(string destination, CancellationToken cancellationToken = default)
    {
        var (source, messaging, database) = await ResolveAsync(destination, cancellationToken);
        long count = 0;
        foreach (var name in source == MessageSource.Queue ? messaging.QueuePartitions : messaging.StreamPartitions)
        {
            count += await database.ListLengthAsync(KeyNames.DeadLetters(name));
        }

        return count;
    }

    /// <summary>
    /// Moves up to <paramref name="limit"/> dead letters of <paramref name="destination"/> back (all when null);
    /// <paramref name="dryRun"/> counts what would move and moves nothing.
    /// </summary>
    public async Task<RedriveResult> RedriveAsync(string destination, long? limit = null, bool dryRun = false, CancellationToken cancellationToken = default)
    {
        var (source, messaging, database) = await ResolveAsync(destination, cancellationToken);
        var outcome = await new Redriver(database, messaging).RunAsync(source == MessageSource.Queue, limit ?? long.MaxValue, dryRun);
        return new(destination, outcome.Redriven, outcome.Skipped, outcome.Remaining);
    }

    /// <summary>The registration's source and engine options, and the connection's database; a name not registered is refused.</summary>
    private async Task<(MessageSource Source, Configuration.MessagingOptions Messaging, StackExchange.Redis.IDatabase Database)> ResolveAsync(string destination, CancellationToken cancellationToken)
    {
        var (source, options) = _builder.Reliable(_services, destination)
            ?? throw new ArgumentException($"'{destination}' is not a queue or stream registered with AddQueue or AddStream; dead letters are kept for those only", nameof(destination));
        var database = (await _services.GetRequiredService<RedisConnection>().GetAsync(cancellationToken)).GetDatabase();
        return (source, EngineParts.Messaging(_services, destination, source, options), database);
    }
}
