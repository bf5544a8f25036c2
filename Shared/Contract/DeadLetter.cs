namespace PubSubDemo.Shared.Contract;

/// <summary>
/// What goes to <c>&lt;queue&gt;:dead</c>: the original payload untouched, and why it was set aside.
/// </summary>
public sealed record DeadLetter(
    string Reason,
    string Payload,
    string Consumer,
    DateTimeOffset At,
    int Attempts);
