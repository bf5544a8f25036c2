using PubSubDemo.Messaging;
using PubSubDemo.Subscriber.Dedupe;
using PubSubDemo.Subscriber.Selection;
using Microsoft.Extensions.Time.Testing;
using PubSubDemo.Shared.Contract;
using PubSubDemo.Messaging.Contract;
using PubSubDemo.Subscriber;
using PubSubDemo.Messaging.Dedupe;
using PubSubDemo.Messaging.Processing;

namespace PubSubDemo.UnitTests.Subscriber;

public sealed class RedisEffectsTests
{
    private static readonly string Prefix = KeyNames.Effects("orders");

    [Fact]
    public void Writes_are_kept_in_order_on_keys_under_the_message_s_hash_tag()
    {
        var effects = new RedisEffects(Prefix);

        effects.HashIncrement(effects.Key("senders"), "web-1", 2);
        effects.SetAdd(effects.Key("seen"), "a");
        effects.Call("ZINCRBY", effects.Key("rank"), 1, "a");

        Assert.Equal("{orders}:effects:senders", effects.Key("senders").ToString());
        Assert.Equal(["HINCRBY", "SADD", "ZINCRBY"], effects.Commands.Select(c => c.Name));
        Assert.Equal(["web-1", "2"], effects.Commands[0].Arguments.Select(a => a.ToString()));
        Assert.Equal("{orders}:effects:rank", effects.Commands[2].Key.ToString());
    }

    [Fact]
    public void A_key_of_its_own_is_refused_since_it_could_live_in_another_slot()
    {
        var effects = new RedisEffects(Prefix);

        var refused = Assert.Throws<ArgumentException>(() => effects.StringIncrement("counter"));

        Assert.Contains("Key(name)", refused.Message, StringComparison.Ordinal);
        Assert.Empty(effects.Commands);
    }

    [Fact]
    public async Task The_demo_handler_counts_per_sender_and_with_DEDUPE_AUDIT_per_id()
    {
        var message = new Message("web-1-7", "m", DateTimeOffset.UnixEpoch, Sender: "web-1");
        var plain = new RedisEffects(Prefix);
        var audited = new RedisEffects(Prefix);

        await new DemoMessageHandler(new SubscriberSettings(), new FakeTimeProvider(), new DedupeSettings { Enabled = true }).HandleAsync(new(MessageSource.Queue, message) { Effects = plain }, CancellationToken.None);
        await new DemoMessageHandler(new SubscriberSettings(), new FakeTimeProvider(), new DedupeSettings { Enabled = true, Audit = true }).HandleAsync(new(MessageSource.Queue, message) { Effects = audited }, CancellationToken.None);

        var sender = Assert.Single(plain.Commands);
        Assert.Equal(("HINCRBY", "{orders}:effects:senders", "web-1"), (sender.Name, sender.Key.ToString(), sender.Arguments[0].ToString()));
        Assert.Equal(["{orders}:effects:senders", "{orders}:effects:ids"], audited.Commands.Select(c => c.Key.ToString()));
        Assert.Equal("web-1-7", audited.Commands[1].Arguments[0].ToString());
    }
}
