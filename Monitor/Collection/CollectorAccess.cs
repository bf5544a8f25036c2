using PubSubDemo.Shared.Configuration;
using PubSubDemo.Messaging.Configuration;
using PubSubDemo.Shared.Contract;
using PubSubDemo.Messaging.Contract;
using PubSubDemo.Shared.Observability;
using PubSubDemo.Messaging.Observability;
using PubSubDemo.Shared.Security;
using PubSubDemo.Messaging.Security;

namespace PubSubDemo.Monitor.Collection;

/// <summary>
/// What <see cref="SnapshotCollector"/> reads: SCAN for the reports and processing lists, MGET of the reports, the
/// queue's, stream's and dead-letter lists' lengths, the newest dead letters (LRANGE) for the flow view, the group's lag. Reads only: the monitor's user writes nothing.
/// </summary>
internal sealed class CollectorAccess(MessagingSettings messaging) : IServerAccess
{
    public void Describe(AccessRules rules)
    {
        rules.Allow("scan", "mget", "get", "llen", "scard", "xlen", "xinfo|groups", "lrange").Key(MonitorKeys.Match, glob: true);
        foreach (var queue in messaging.QueuePartitions)
        {
            rules.Key(queue).Key(KeyNames.DeadLetters(queue)).Key(KeyNames.Consumers(queue))
                .Key(KeyNames.Processing(AccessRules.EscapeGlob(queue), "*"), glob: true);
        }

        foreach (var stream in messaging.StreamPartitions)
        {
            rules.Key(stream).Key(KeyNames.DeadLetters(stream));
        }

        // The due sets' sizes (retries and delayed messages waiting), for the backlog tiles.
        rules.Allow("zcard");
        foreach (var queue in messaging.QueuePartitions)
        {
            rules.Key(KeyNames.Due(queue));
        }

        foreach (var stream in messaging.StreamPartitions)
        {
            rules.Key(KeyNames.Due(stream, messaging.Group));
        }
    }
}
