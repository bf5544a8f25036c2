using PubSubDemo.Messaging.Dedupe;
using PubSubDemo.Shared.Configuration;

namespace PubSubDemo.Subscriber.Dedupe;

/// <summary><see cref="DedupeOptions"/> read from the environment variables users already know (the one catalogue, <see cref="EnvironmentNames"/>).</summary>
internal sealed class DedupeSettings : DedupeOptions, IServiceSettings
{
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
