namespace PubSubDemo.Shared.Connection;

/// <summary>Exponential backoff for retries against the server: doubles from a floor up to a ceiling, reset on success.</summary>
public sealed class Backoff
{
    private readonly TimeSpan _floor;
    private readonly TimeSpan _ceiling;
    private TimeSpan _next;

    public Backoff(TimeSpan floor, TimeSpan ceiling)
    {
        _floor = floor;
        _ceiling = ceiling;
        _next = floor;
    }

    public Backoff()
        : this(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5))
    {
    }

    /// <summary>Returns the pause to take now and doubles the next one.</summary>
    public TimeSpan Next()
    {
        var pause = _next;
        _next = _next * 2 > _ceiling ? _ceiling : _next * 2;
        return pause;
    }

    public void Reset() => _next = _floor;
}
