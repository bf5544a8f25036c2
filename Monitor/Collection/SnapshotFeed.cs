using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace PubSubDemo.Monitor.Collection;

/// <summary>
/// The latest snapshot and the chart's history, shared by every open page. Each snapshot is serialized once;
/// each server-sent-events stream starts with the history, then gets every new snapshot as it is published.
/// </summary>
internal sealed class SnapshotFeed(MonitorSettings settings)
{
    public const string HistoryEvent = "history";
    public const string SnapshotEvent = "snapshot";

    private readonly Lock _gate = new();
    private readonly Queue<ChartPoint> _history = new();
    private TaskCompletionSource<string> _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The latest snapshot as JSON; null until the first collection.</summary>
    public string? CurrentJson { get; private set; }

    public void Publish(Snapshot snapshot)
    {
        var json = JsonSerializer.Serialize(snapshot, SnapshotJsonContext.Default.Snapshot);
        TaskCompletionSource<string> published;
        lock (_gate)
        {
            CurrentJson = json;
            _history.Enqueue(snapshot.Point);
            var oldest = snapshot.Point.T - (long)settings.History.TotalMilliseconds;
            while (_history.Peek().T < oldest)
            {
                _history.Dequeue();
            }

            published = _next;
            _next = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        published.SetResult(json);
    }

    public string HistoryJson()
    {
        lock (_gate)
        {
            return JsonSerializer.Serialize<IReadOnlyList<ChartPoint>>([.. _history], SnapshotJsonContext.Default.IReadOnlyListChartPoint);
        }
    }

    /// <summary>The history, the current snapshot, then each new one until the page goes away.</summary>
    public async IAsyncEnumerable<SseItem<string>> StreamAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Task<string> next;
        string? current;
        lock (_gate)
        {
            next = _next.Task;
            current = CurrentJson;
        }

        yield return new SseItem<string>(HistoryJson(), HistoryEvent);
        if (current is not null)
        {
            yield return new SseItem<string>(current, SnapshotEvent);
        }

        while (await WaitAsync(next, cancellationToken) is { } json)
        {
            lock (_gate)
            {
                next = _next.Task;
            }

            yield return new SseItem<string>(json, SnapshotEvent);
        }
    }

    private static async Task<string?> WaitAsync(Task<string> next, CancellationToken cancellationToken)
    {
        try
        {
            return await next.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }
}
