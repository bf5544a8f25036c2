using System.Collections.Concurrent;
using StackExchange.Redis;

namespace PubSubDemo.OutboxTests.Support;

/// <summary>
/// A real transport: each row to its Redis destination (RPUSH to the queue's list, XADD to the stream, PUBLISH to the
/// channel), one destination's run pipelined on one connection so the server sees them in batch order, each run awaited
/// before the next. An
/// error the server answers (WRONGTYPE, NOPERM) is a refusal, as the engine's transport reports it.
/// </summary>
public sealed class RedisOutboxTransport(IConnectionMultiplexer redis) : IOutboxTransport
{
    public async Task SendAsync(IReadOnlyList<OutboxMessage> batch, CancellationToken cancellationToken)
    {
        var database = redis.GetDatabase();
        // One destination's run at a time, as the engine's transport sends: a refused run stops the batch there.
        for (var start = 0; start < batch.Count;)
        {
            var sends = new List<Task>();
            var first = batch[start];
            for (; start < batch.Count && batch[start].DestinationKind == first.DestinationKind && batch[start].DestinationName == first.DestinationName; start++)
            {
                var row = batch[start];
                sends.Add(row.DestinationKind switch
                {
                    OutboxDestinationKind.Queue => database.ListRightPushAsync(row.DestinationName, row.Payload),
                    OutboxDestinationKind.Stream => database.StreamAddAsync(row.DestinationName, [new("id", row.MessageId), new("body", row.Payload)]),
                    OutboxDestinationKind.Channel => database.PublishAsync(RedisChannel.Literal(row.DestinationName), row.Payload),
                    _ => throw new InvalidOperationException($"unknown destination kind {row.DestinationKind}"),
                });
            }

            try
            {
                await Task.WhenAll(sends).WaitAsync(cancellationToken);
            }
            catch (RedisServerException ex)
            {
                throw new OutboxSendRefusedException(ex.Message, ex);
            }
        }
    }
}

/// <summary>Sends through whichever transport <see cref="Inner"/> is now: a server that is away, then one that is back.</summary>
public sealed class SwitchableTransport(IOutboxTransport inner) : IOutboxTransport
{
    private volatile IOutboxTransport _inner = inner;

    public IOutboxTransport Inner
    {
        get => _inner;
        set => _inner = value;
    }

    public Task SendAsync(IReadOnlyList<OutboxMessage> batch, CancellationToken cancellationToken) => _inner.SendAsync(batch, cancellationToken);
}

/// <summary>
/// Sends through <paramref name="inner"/> and fails once: the first batch of at least two rows gets its first half
/// sent, then throws, as a relay that dies mid-batch would. The half sent is what a resend duplicates.
/// </summary>
public sealed class FailingOnceTransport(IOutboxTransport inner) : IOutboxTransport
{
    private int _failed;

    /// <summary>The rows sent before the failure (empty until it happened).</summary>
    public IReadOnlyList<OutboxMessage> SentBeforeFailure { get; private set; } = [];

    public async Task SendAsync(IReadOnlyList<OutboxMessage> batch, CancellationToken cancellationToken)
    {
        if (batch.Count >= 2 && Interlocked.CompareExchange(ref _failed, 1, 0) == 0)
        {
            var half = batch.Take(batch.Count / 2).ToList();
            await inner.SendAsync(half, cancellationToken);
            SentBeforeFailure = half;
            throw new InvalidOperationException("transport failed mid-batch (test)");
        }

        await inner.SendAsync(batch, cancellationToken);
    }
}

/// <summary>A transport that never returns until cancelled: a relay stuck mid-batch (a hung process).</summary>
public sealed class HangingTransport : IOutboxTransport
{
    private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The rows of the batch it hangs on.</summary>
    public IReadOnlyList<OutboxMessage> Held { get; private set; } = [];

    public Task Entered => _entered.Task;

    public async Task SendAsync(IReadOnlyList<OutboxMessage> batch, CancellationToken cancellationToken)
    {
        Held = batch;
        _entered.TrySetResult();
        await Task.Delay(Timeout.Infinite, cancellationToken);
    }
}

/// <summary>Records what the relay hands over, for the ordering logic alone.</summary>
public sealed class RecordingTransport : IOutboxTransport
{
    private readonly ConcurrentQueue<OutboxMessage> _sent = new();

    public IReadOnlyList<OutboxMessage> Sent => [.. _sent];

    public Task SendAsync(IReadOnlyList<OutboxMessage> batch, CancellationToken cancellationToken)
    {
        foreach (var row in batch)
        {
            _sent.Enqueue(row);
        }

        return Task.CompletedTask;
    }
}
