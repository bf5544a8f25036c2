using PubSubDemo.Messaging.Configuration;

namespace PubSubDemo.Messaging.Dedupe;

/// <summary>
/// DEDUPE: remember each handled message id on the server for DEDUPE_TTL, so a redelivery (after a crash, a reclaim or a
/// duplicate publish) is acknowledged without calling the handler again, and a handler's Redis effects commit with the marker.
/// </summary>
internal class DedupeOptions
{
    public bool Enabled { get; set; }

    /// <summary>How long a "handled" marker lives: a redelivery later than this is handled again.</summary>
    public TimeSpan Ttl { get; set; } = TimeSpan.FromHours(24);

    /// <summary>The demo handler also counts its effect per message id (<c>{base}:effects:ids</c>), to check exactly-once.</summary>
    public bool Audit { get; set; }
}
