using PubSubDemo.Publisher;
using PubSubDemo.Publisher.Sending;
using PubSubDemo.Messaging.Producing;
using PubSubDemo.Shared.Contract;
using PubSubDemo.Messaging.Contract;

namespace PubSubDemo.UnitTests.Publisher;

/// <summary>How the publisher picks partitions: whole batches round-robin, or by MESSAGE_KEY's stable hash.</summary>
public sealed class PartitionerTests
{
    private static List<OutgoingMessage> Batch(int from, int count, Func<int, string>? sender = null) =>
        [.. Enumerable.Range(from, count).Select(i => new OutgoingMessage(new Message($"s-{i}", $"Message #{i}", DateTimeOffset.UnixEpoch, sender?.Invoke(i) ?? "s", i)))];

    [Fact]
    public void Without_a_key_each_batch_goes_whole_to_the_next_partition()
    {
        var partitioner = new Partitioner(3, null);
        var seen = new List<int>();
        for (var b = 0; b < 6; b++)
        {
            var batch = Batch(b * 4, 4);
            partitioner.Assign(batch);
            Assert.Single(batch.Select(m => m.Partition).Distinct());
            seen.Add(batch[0].Partition);
        }

        Assert.Equal([0, 1, 2, 0, 1, 2], seen);
    }

    [Fact]
    public void With_a_key_one_keys_messages_always_go_to_the_same_partition()
    {
        var partitioner = new Partitioner(4, "sender");
        var bySender = new Dictionary<string, HashSet<int>>();
        for (var b = 0; b < 10; b++)
        {
            var batch = Batch(b * 20, 20, i => $"sender-{i % 7}");
            partitioner.Assign(batch);
            foreach (var message in batch)
            {
                bySender.TryAdd(message.Message.Sender!, []);
                bySender[message.Message.Sender!].Add(message.Partition);
                Assert.Equal(Partitions.ForKey(message.Message.Sender!, 4), message.Partition);
            }
        }

        Assert.All(bySender.Values, partitions => Assert.Single(partitions));
        Assert.True(bySender.Values.Select(p => p.Single()).Distinct().Count() > 1, "seven senders all hashed to one partition");
    }

    [Theory]
    [InlineData("content")]
    [InlineData("ID")]
    [InlineData("seq")]
    public void MESSAGE_KEY_accepts_the_messages_fields(string value)
    {
        var (settings, errors) = TestSettings.Load<PublisherSettings>(("MESSAGE_KEY", value));

        Assert.Empty(errors);
        Assert.Equal(value.ToLowerInvariant(), settings.MessageKey);
    }

    [Fact]
    public void A_MESSAGE_KEY_that_is_not_a_field_is_one_error_naming_the_choices()
    {
        var (_, errors) = TestSettings.Load<PublisherSettings>(("MESSAGE_KEY", "customer"));

        Assert.Equal("MESSAGE_KEY='customer' is not valid: use one of the message's fields: sender, id, content, timestamp, seq.", Assert.Single(errors));
    }
}
