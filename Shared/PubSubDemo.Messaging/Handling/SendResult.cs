namespace PubSubDemo.Messaging;

/// <summary>
/// What a send with a give-up deadline (<see cref="IMessageProducer{T}.TrySendAsync"/>) achieved: the ids given to the
/// messages, in order, and those the server had not taken when the deadline passed (none when <see cref="AllAccepted"/>).
/// A message not accepted may still have reached the server (a reply lost with the connection); its id is the one listed.
/// </summary>
public sealed record SendResult(IReadOnlyList<string> Ids, IReadOnlyList<string> NotAccepted, string? Failure)
{
    /// <summary>How many of <see cref="Ids"/> the server took.</summary>
    public int Accepted => Ids.Count - NotAccepted.Count;

    /// <summary>True when the server took every message.</summary>
    public bool AllAccepted => NotAccepted.Count == 0;
}
