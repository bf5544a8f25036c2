using PubSubDemo.Messaging.Configuration;
using PubSubDemo.Messaging.Contract;
using PubSubDemo.Messaging.Security;

namespace PubSubDemo.Messaging.Dedupe;

/// <summary>
/// With DEDUPE=true: the marker lookups (EXISTS) and the commit script (<see cref="DedupeScripts"/>: EXISTS, SET, LREM
/// or XACK, and the effects' writes) on the markers and effect keys in each source's slot. The effect commands a handler
/// may add (<see cref="Processing.RedisEffects"/>) are allowed on its <c>{base}:effects:*</c> keys only.
/// </summary>
internal sealed class DedupeAccess(MessagingOptions messaging, DedupeOptions dedupe) : IServerAccess
{
    public void Describe(AccessRules rules)
    {
        if (!dedupe.Enabled)
        {
            return;
        }

        rules.Allow("evalsha", "eval", "script|load", "exists", "set", "hincrby", "hset", "incrby", "sadd", "rpush");
        var bases = new List<string>();
        if (messaging.Uses(Pattern.PubSub))
        {
            bases.Add(messaging.Channel);
        }

        if (messaging.Uses(Pattern.Queue))
        {
            rules.Allow("lrem");
            bases.AddRange(messaging.QueuePartitions);
        }

        if (messaging.Uses(Pattern.Stream))
        {
            rules.Allow("xack");
            bases.AddRange(messaging.StreamPartitions);
        }

        foreach (var name in bases)
        {
            rules.Key(AccessRules.EscapeGlob(KeyNames.Handled(name, "", "")) + "*", glob: true)
                .Key(AccessRules.EscapeGlob(KeyNames.Effects(name)) + "*", glob: true);
        }
    }
}
