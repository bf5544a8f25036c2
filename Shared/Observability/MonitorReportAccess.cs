using PubSubDemo.Messaging.Observability;
using PubSubDemo.Shared.Security;
using PubSubDemo.Messaging.Security;

namespace PubSubDemo.Shared.Observability;

/// <summary>
/// <see cref="MonitorReporter"/>'s SETEX of <c>pubsubdemo:monitor:&lt;instance&gt;</c> and its delete on a clean stop.
/// Any instance name: INSTANCE_NAME is usually left to a random default, different for every process.
/// </summary>
internal sealed class MonitorReportAccess(ObservabilitySettings settings) : IServerAccess
{
    public void Describe(AccessRules rules)
    {
        if (settings.MonitorReport)
        {
            rules.Allow("setex", "set", "del", "unlink").Key(MonitorKeys.Match, glob: true);
        }
    }
}
