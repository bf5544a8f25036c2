using System.Collections.Concurrent;
using PubSubDemo.Messaging;

namespace PubSubDemo.LibraryTests;

/// <summary>
/// What a test's handler saw: every call (an attempt, with its time) and every delivery it completed. Registered as a
/// singleton; <see cref="InboxHandler{T}"/>, resolved per delivery, writes into it. <see cref="OnHandle"/> lets a test
/// make the handler fail, block or add effects.
/// </summary>
public sealed class Inbox<T>
{
    private readonly ConcurrentQueue<MessageContext<T>> _handled = new();
    private readonly ConcurrentQueue<(string Id, DateTimeOffset At)> _calls = new();

    public Func<MessageContext<T>, CancellationToken, ValueTask>? OnHandle { get; set; }

    public IReadOnlyList<MessageContext<T>> Handled => [.. _handled];

    public IReadOnlyList<(string Id, DateTimeOffset At)> Calls => [.. _calls];

    public async ValueTask HandleAsync(MessageContext<T> context, CancellationToken cancellationToken)
    {
        _calls.Enqueue((context.Id, DateTimeOffset.UtcNow));
        if (OnHandle is { } onHandle)
        {
            await onHandle(context, cancellationToken);
        }

        _handled.Enqueue(context);
    }
}

/// <summary>The handler the tests register: hands each delivery to the <see cref="Inbox{T}"/> in DI.</summary>
public sealed class InboxHandler<T>(Inbox<T> inbox) : IMessageHandler<T>
{
    public ValueTask HandleAsync(MessageContext<T> context, CancellationToken cancellationToken) => inbox.HandleAsync(context, cancellationToken);
}
