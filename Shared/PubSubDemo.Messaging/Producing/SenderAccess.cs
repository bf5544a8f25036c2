using PubSubDemo.Messaging.Cluster;
using PubSubDemo.Messaging.Configuration;
using PubSubDemo.Messaging.Contract;
using PubSubDemo.Messaging.Security;

namespace PubSubDemo.Messaging.Producing;

/// <summary>
/// What <see cref="MessageSender"/> sends, for PATTERN: PUBLISH (one by one, or in <see cref="SendScripts.PublishMany"/>),
/// RPUSH and the doorbell's PUBLISH (on every partition's list and doorbell), XADD (one by one, or in <see cref="SendScripts.AddMany"/>). A script runs its
/// commands with the caller's permissions, so those are allowed as well as EVALSHA, EVAL and SCRIPT LOAD.
/// Reading is not: this user can add to the queue and the stream, never take from them. With STREAM_MAXLEN the
/// retention (<see cref="StreamRetention"/>) also reads the stream's length and groups (XLEN, XINFO GROUPS, XPENDING)
/// from the client, and its script reads the oldest entries and trims.
/// </summary>
internal sealed class SenderAccess(MessagingOptions messaging, ProducerOptions settings) : IServerAccess
{
    public void Describe(AccessRules rules)
    {
        var publish = messaging.PubSubMode == PubSubMode.Sharded ? "spublish" : "publish";
        if (messaging.PubSubMode == PubSubMode.Sharded)
        {
            // SPUBLISH to the channel and the doorbells, and the probe at start that the server has sharded pub/sub (ShardedPubSub).
            rules.Allow("spublish").Channel(ShardedPubSub.ProbeChannel);
        }

        if (messaging.Uses(Pattern.PubSub))
        {
            // The batch script names the channel in KEYS so that a cluster routes it to the channel's slot (SendScripts.PublishMany);
            // the server checks declared keys against the key rules, so the channel's name is allowed as a key too.
            rules.Allow(publish, "evalsha", "eval", "script|load").Channel(messaging.Channel).Key(messaging.Channel);
        }

        if (messaging.Uses(Pattern.Queue))
        {
            rules.Allow("rpush", publish);
            foreach (var queue in messaging.QueuePartitions)
            {
                rules.Key(queue).Channel(KeyNames.Doorbell(queue));
            }
        }

        if (messaging.Uses(Pattern.Stream))
        {
            rules.Allow("xadd", publish, "evalsha", "eval", "script|load");
            foreach (var stream in messaging.StreamPartitions)
            {
                rules.Key(stream).Channel(KeyNames.Doorbell(stream));
            }

            if (settings.StreamMaxLength is not null)
            {
                rules.Allow("xlen", "xinfo|groups", "xpending", "xrange", "xtrim");
            }
        }
    }
}
