using System.Text.Json.Serialization.Metadata;
using PubSubDemo.Messaging.Configuration;
using PubSubDemo.Messaging.Connection;
using PubSubDemo.Messaging.Contract;
using PubSubDemo.Messaging.Observability;
using PubSubDemo.Messaging.Producing;

namespace PubSubDemo.Messaging.Handling;

/// <summary>
/// A typed producer: each message gets its id (a version 7 GUID, fixed before the first attempt, so a retry resends
/// the same id) and timestamp, a producer span when someone listens, and its bytes once; the batch goes through the
/// engine's sender (<see cref="MessageSender.SendNowAsync"/>, or <see cref="MessageSender.SendBeforeAsync"/> with a
/// give-up deadline): one round trip, retried with backoff while the server fails.
/// </summary>
internal sealed class TypedProducer<T>(
    string destination,
    Destinations to,
    MessageSender sender,
    RedisConnection connection,
    JsonTypeInfo<T> json,
    TimeProvider time) : IMessageProducer<T>
{
    public string Destination => destination;

    public async Task<string> SendAsync(T message, string? key = null, DateTimeOffset? dueAt = null, CancellationToken cancellationToken = default) =>
        (await SendAsync([message], key is null ? null : _ => key, dueAt, cancellationToken))[0];

    public async Task<IReadOnlyList<string>> SendAsync(IReadOnlyList<T> messages, Func<T, string?>? key = null, DateTimeOffset? dueAt = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (messages.Count == 0)
        {
            return [];
        }

        var multiplexer = await connection.GetAsync(cancellationToken);
        var (batch, ids) = Prepare(messages, key, dueAt);
        await sender.SendNowAsync(multiplexer.GetDatabase(), batch, connection.Server, cancellationToken);
        return ids;
    }

    public async Task<SendResult> TrySendAsync(IReadOnlyList<T> messages, TimeSpan giveUpAfter, Func<T, string?>? key = null, DateTimeOffset? dueAt = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ArgumentOutOfRangeException.ThrowIfLessThan(giveUpAfter, TimeSpan.Zero);
        if (messages.Count == 0)
        {
            return new([], [], null);
        }

        using var deadline = new CancellationTokenSource(giveUpAfter, time);
        using var giveUp = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, cancellationToken);
        var (batch, ids) = Prepare(messages, key, dueAt);
        (List<OutgoingMessage> NotTaken, string? Reason) unsent;
        try
        {
            var multiplexer = await connection.GetAsync(giveUp.Token);
            unsent = await sender.SendBeforeAsync(multiplexer.GetDatabase(), batch, connection.Server, giveUp.Token);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // The deadline passed before the server first answered: nothing was sent.
            unsent = sender.GiveUp(batch, new TimeoutException($"the server did not answer within {DurationParser.Format(giveUpAfter)}"), atShutdown: false);
        }

        // The caller's own cancellation is no give-up: it cancels, unless everything was taken before it came.
        if (unsent.NotTaken.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
        }

        return new(ids, [.. unsent.NotTaken.Select(m => m.Message.Id)], unsent.Reason);
    }

    private (List<OutgoingMessage> Batch, string[] Ids) Prepare(IReadOnlyList<T> messages, Func<T, string?>? key, DateTimeOffset? dueAt)
    {
        var now = time.GetUtcNow();
        var batch = new List<OutgoingMessage>(messages.Count);
        var ids = new string[messages.Count];
        for (var i = 0; i < messages.Count; i++)
        {
            var value = messages[i];
            ids[i] = Guid.CreateVersion7(now).ToString("N");
            var envelope = new Message(ids[i], "", now, NotBefore: dueAt > now ? dueAt : null);
            batch.Add(new OutgoingMessage(envelope, e => TypedPayload.Write(e, value, json), key?.Invoke(value), MessageTracing.StartSend(destination, ids[i]), to));
        }

        return (batch, ids);
    }
}
