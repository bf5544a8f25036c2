namespace PubSubDemo.Messaging.EntityFrameworkCore;

/// <summary>
/// Thrown by an <see cref="IOutboxTransport"/> when the server refused what it was given for a reason that sending the
/// same bytes again will not cure by itself: the command refused for that destination (an ACL's NOPERM, an unknown
/// command), the destination's key holding another type (WRONGTYPE), the payload refused. The relay then sends the
/// batch one row at a time to find the rows refused, tries each again with backoff while the rows behind it on its
/// key wait, and parks it after <see cref="OutboxRelayOptions.MaxRefusals"/> refusals. Any other exception means
/// "not now" (a server away, a time-out): the whole batch is sent again, however long that takes, and nothing is parked.
/// </summary>
public sealed class OutboxSendRefusedException : Exception
{
    /// <summary>A refusal described by <paramref name="message"/>.</summary>
    public OutboxSendRefusedException(string message)
        : base(message)
    {
    }

    /// <summary>A refusal described by <paramref name="message"/>, caused by <paramref name="innerException"/> (the server's error).</summary>
    public OutboxSendRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
