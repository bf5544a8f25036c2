using PubSubDemo.Shared.Configuration;

namespace PubSubDemo.Subscriber.Dedupe;

/// <summary>
/// DEDUPE: remember each handled message id on the server for DEDUPE_TTL, so a redelivery (after a crash, a reclaim or a
/// duplicate publish) is acknowledged without calling the handler again, and a handler's Redis effects commit with the marker.
/// </summary>
public sealed class DedupeSettings : IServiceSettings
{
    public bool Enabled { get; set; }

    /// <summary>How long a "handled" marker lives: a redelivery later than this is handled again.</summary>
    public TimeSpan Ttl { get; set; } = TimeSpan.FromHours(24);

    /// <summary>The demo handler also counts its effect per message id (<c>{base}:effects:ids</c>), to check exactly-once.</summary>
    public bool Audit { get; set; }

    public void Load(SettingsReader reader)
    {
        Enabled = reader.Flag(EnvironmentNames.Dedupe, Enabled);
        Ttl = reader.Duration(EnvironmentNames.DedupeTtl, Ttl, TimeSpan.FromSeconds(1));
        Audit = reader.Flag(EnvironmentNames.DedupeAudit, Audit);
        if (Audit && !Enabled)
        {
            reader.Error(EnvironmentNames.DedupeAudit, reader.Raw(EnvironmentNames.DedupeAudit), "the per-id ledger is a transactional effect: set DEDUPE=true too");
        }
    }
}
