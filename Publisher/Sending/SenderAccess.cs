using PubSubDemo.Shared.Configuration;
using PubSubDemo.Shared.Contract;
using PubSubDemo.Shared.Security;

namespace PubSubDemo.Publisher.Sending;

/// <summary>
/// What <see cref="MessageSender"/> sends, for PATTERN: PUBLISH (one by one, or in <see cref="SendScripts.PublishMany"/>),
/// RPUSH and the doorbell's PUBLISH, XADD (one by one, or in <see cref="SendScripts.AddMany"/>). A script runs its
/// commands with the caller's permissions, so those are allowed as well as EVALSHA, EVAL and SCRIPT LOAD.
/// Reading is not: this user can add to the queue and the stream, never take from them.
/// </summary>
internal sealed class SenderAccess(MessagingSettings messaging) : IServerAccess
{
    public void Describe(AccessRules rules)
    {
        if (messaging.Uses(Pattern.PubSub))
        {
            rules.Allow("publish", "evalsha", "eval", "script|load").Channel(messaging.Channel);
        }

        if (messaging.Uses(Pattern.Queue))
        {
            rules.Allow("rpush", "publish").Key(messaging.Queue).Channel(KeyNames.Doorbell(messaging.Queue));
        }

        if (messaging.Uses(Pattern.Stream))
        {
            rules.Allow("xadd", "publish", "evalsha", "eval", "script|load").Key(messaging.Stream).Channel(KeyNames.Doorbell(messaging.Stream));
        }
    }
}
