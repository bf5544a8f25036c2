using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using PubSubDemo.Messaging.Configuration;
using PubSubDemo.Messaging.Connection;
using PubSubDemo.Messaging.Contract;
using PubSubDemo.Messaging.Observability;
using StackExchange.Redis;

namespace PubSubDemo.Messaging.Producing;

/// <summary>
/// Sends what the generator created, in batches, to the destinations that PATTERN names (channel, queue, stream).
/// A destination that fails is retried with <see cref="ServerRetry"/>'s backoff, with the same bytes, until it succeeds
/// or shutdown's drain deadline passes; then the message is logged as not sent, never dropped silently. What it does
/// (taken, sent, retried, given up, trimmed) goes to the <see cref="IProducerObserver"/>s it was given, once each.
/// </summary>
internal sealed partial class MessageSender(
    MessagingOptions messaging,
    ProducerOptions settings,
    IEnumerable<IProducerObserver> observers,
    TimeProvider time,
    ILogger<MessageSender> logger)
{
    private const int MaxBatchesInFlight = 8;
    private readonly ServerRetry _retry = new(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5), time);
    private readonly SendObservers _observers = new(observers);
    private readonly Partitioner _partitioner = new(messaging.PartitionCount, settings.MessageKey);
    private IDestination[]? _destinations;
    private StreamRetention[] _retention = [];

    // One producer span per message, whose context travels in the payload every destination receives; with several
    // destinations the span names them all ("messages,message_queue send").
    private readonly string _traceDestination = string.Join(',', new[] { (Pattern.PubSub, messaging.Channel), (Pattern.Queue, messaging.Queue), (Pattern.Stream, messaging.Stream) }
        .Where(d => messaging.Uses(d.Item1)).Select(d => d.Item2));
    private readonly Destinations _to = (messaging.Uses(Pattern.PubSub) ? Destinations.Channel : 0)
        | (messaging.Uses(Pattern.Queue) ? Destinations.Queue : 0) | (messaging.Uses(Pattern.Stream) ? Destinations.Stream : 0);

    /// <summary>A new message, ready to send; traced (a producer span, its context in the payload) when someone listens.</summary>
    public OutgoingMessage Prepare(Message message) => new(message, MessageTracing.StartSend(_traceDestination, message.Id), _to);

    /// <summary>
    /// Reads <paramref name="source"/> until it completes, with up to <see cref="MaxBatchesInFlight"/> batches on the wire
    /// at once; <paramref name="drain"/> cancels retries at the shutdown deadline. <paramref name="server"/> is what the
    /// start-up probe found, when it ran.
    /// </summary>
    public async Task RunAsync(IDatabase database, ChannelReader<OutgoingMessage> source, SemaphoreSlim capacity, CancellationToken drain, ServerProfile? server = null)
    {
        _destinations ??= CreateDestinations(server);
        var inFlight = new Queue<(List<OutgoingMessage> Batch, Task<Exception?> Attempt)>(MaxBatchesInFlight);
        while (await source.WaitToReadAsync(CancellationToken.None))
        {
            var batch = new List<OutgoingMessage>(Math.Min(settings.BatchSize, 64));
            while (batch.Count < settings.BatchSize && source.TryRead(out var message))
            {
                batch.Add(message);
            }

            _partitioner.Assign(batch);

            if (inFlight.Count >= MaxBatchesInFlight)
            {
                await SettleOldestAsync(database, inFlight, capacity, drain);
            }

            inFlight.Enqueue((batch, TrySendAsync(database, batch)));
        }

        while (inFlight.Count > 0)
        {
            await SettleOldestAsync(database, inFlight, capacity, drain);
        }

        // STREAM_MAXLEN: the last batch's trim reads the groups before it trims; let it finish before the connection closes.
        try
        {
            await Task.WhenAll(_retention.Select(r => r.WhenIdle)).WaitAsync(drain);
        }
        catch (OperationCanceledException) when (drain.IsCancellationRequested)
        {
        }
    }

    private IDestination[] CreateDestinations(ServerProfile? server)
    {
        var scripts = new ScriptFallback(logger);
        var destinations = new List<IDestination>(3);
        if (messaging.Uses(Pattern.PubSub))
        {
            // On DragonFly a PUBLISH inside a script may wait for a slow subscriber's output buffer on the script's
            // thread, with no script time limit: there the channel publishes one command per message (docs/scaling.md).
            var publishInScripts = server?.Kind != ServerKind.DragonFly;
            destinations.Add(new ChannelDestination(messaging, scripts, _observers, settings.LogMessages, logger, publishInScripts));
        }

        if (messaging.Uses(Pattern.Queue))
        {
            destinations.Add(new QueueDestination(messaging, _observers, settings.LogMessages, logger));
        }

        if (messaging.Uses(Pattern.Stream))
        {
            var retention = settings.StreamMaxLength is { } maxLength
                ? messaging.StreamPartitions.Select((stream, partition) => new StreamRetention(stream, maxLength, (length, removed, held) => _observers.Trimmed(messaging.Stream, partition, length, removed, held), logger)).ToArray()
                : null;
            _retention = retention ?? [];
            destinations.Add(new StreamDestination(messaging, retention, scripts, _observers, settings.LogMessages, logger));
        }

        return [.. destinations];
    }

    /// <summary>
    /// Completes the oldest batch. When its first attempt failed, nothing new is sent until it and every later batch
    /// in flight have gone through, retried oldest first, so that messages reach the server in publish order.
    /// (The connection fails fast while it is down, so later batches in flight fail with it rather than overtake.)
    /// A batch still failing when the drain deadline passes is given up, loudly.
    /// </summary>
    private async Task SettleOldestAsync(IDatabase database, Queue<(List<OutgoingMessage> Batch, Task<Exception?> Attempt)> inFlight, SemaphoreSlim capacity, CancellationToken drain)
    {
        var (oldest, attempt) = inFlight.Dequeue();
        var failure = await attempt;
        if (failure is null)
        {
            Complete(oldest);
            capacity.Release(oldest.Count);
            return;
        }

        var failed = new List<(List<OutgoingMessage> Batch, Exception? Failure)> { (oldest, failure) };
        while (inFlight.Count > 0)
        {
            var (batch, later) = inFlight.Dequeue();
            failed.Add((batch, await later));
        }

        foreach (var (batch, firstFailure) in failed)
        {
            if (firstFailure is not null && await RetryUntilTakenAsync(database, batch, firstFailure, RetryEnd.LastTry, drain) is { } last)
            {
                _ = GiveUp(batch, last, atShutdown: true);
            }
            else
            {
                Complete(batch);
            }

            capacity.Release(batch.Count);
        }
    }

    /// <summary>
    /// Starts every destination before awaiting any reply, so the batch's parts share one round trip; returns the
    /// first failure, or null when every destination has taken every message.
    /// </summary>
    private Task<Exception?> TrySendAsync(IDatabase database, List<OutgoingMessage> batch) =>
        _destinations!.Length == 1 ? _destinations[0].SendAsync(database, batch) : TrySendAllAsync(_destinations, database, batch);

    private static Task<Exception?> TrySendAllAsync(IDestination[] destinations, IDatabase database, List<OutgoingMessage> batch)
    {
        var sends = new Task<Exception?>[destinations.Length];
        for (var i = 0; i < sends.Length; i++)
        {
            sends[i] = destinations[i].SendAsync(database, batch);
        }

        return BatchParts.FirstFailureAsync(sends);
    }
}
