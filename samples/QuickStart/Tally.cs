using System.Collections.Concurrent;

/// <summary>The sample's bookkeeping, not part of what to copy: which orders of this run were handled, and waiting for all of them.</summary>
internal sealed class Tally
{
    private readonly ConcurrentDictionary<string, bool> _handled = new();
    private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile string? _run;
    private int _count;

    public void Add(string orderId)
    {
        _handled[orderId] = true;
        Check();
    }

    /// <summary>Completes once <paramref name="count"/> orders of <paramref name="run"/> were handled; throws a TimeoutException after <paramref name="deadline"/>.</summary>
    public Task WaitForAsync(string run, int count, TimeSpan deadline)
    {
        _count = count;
        _run = run;
        Check();
        return _all.Task.WaitAsync(deadline);
    }

    private void Check()
    {
        if (_run is { } run && _handled.Keys.Count(id => id.StartsWith(run + "-", StringComparison.Ordinal)) >= _count)
        {
            _all.TrySetResult();
        }
    }
}
