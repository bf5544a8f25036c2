using System.Text;
using PubSubDemo.Publisher.Generation;
using PubSubDemo.Shared.Contract;
using PubSubDemo.Messaging.Contract;

namespace PubSubDemo.UnitTests.Publisher;

public sealed class MessageFactoryTests
{
    private static readonly DateTimeOffset Now = new(2025, 7, 29, 10, 30, 15, TimeSpan.Zero);

    [Fact]
    public void Ids_are_the_sender_and_a_sequence_number_starting_at_1()
    {
        var factory = new MessageFactory("host-1-abc123", 0);

        var first = factory.Create(Now);
        var second = factory.Create(Now);

        Assert.Equal("host-1-abc123-1", first.Id);
        Assert.Equal("host-1-abc123-2", second.Id);
        Assert.Equal(1, first.Seq);
        Assert.Equal(2, second.Seq);
        Assert.Equal("host-1-abc123", first.Sender);
        Assert.Equal("host-1-abc123", factory.Sender);
    }

    [Fact]
    public void Ids_are_unique_and_sequence_numbers_increase_by_one()
    {
        var factory = new MessageFactory("pub", 0);

        var messages = Enumerable.Range(0, 10_000).Select(_ => factory.Create(Now)).ToList();

        Assert.Equal(messages.Count, messages.Select(m => m.Id).Distinct().Count());
        Assert.Equal(Enumerable.Range(1, 10_000).Select(i => (long?)i), messages.Select(m => m.Seq));
    }

    [Fact]
    public void Two_publishers_never_make_the_same_id()
    {
        var a = new MessageFactory("pub-a", 0);
        var b = new MessageFactory("pub-b", 0);

        var ids = Enumerable.Range(0, 100).SelectMany(_ => new[] { a.Create(Now).Id, b.Create(Now).Id }).ToList();

        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    [Fact]
    public void Content_is_Message_number_n_without_MESSAGE_SIZE()
    {
        var factory = new MessageFactory("pub", 0);

        factory.Create(Now);
        Assert.Equal("Message #2", factory.Create(Now).Content);
    }

    [Fact]
    public void Timestamp_is_the_one_given()
    {
        var message = new MessageFactory("pub", 0).Create(Now);

        Assert.Equal(Now, message.Timestamp);
    }

    [Theory]
    [InlineData(100)]
    [InlineData(1024)]
    [InlineData(65_536)]
    public void MESSAGE_SIZE_pads_the_content_to_that_many_bytes(int size)
    {
        var message = new MessageFactory("pub", size).Create(Now);

        Assert.Equal(size, Encoding.UTF8.GetByteCount(message.Content));
        Assert.StartsWith("Message #1", message.Content, StringComparison.Ordinal);
    }

    [Fact]
    public void MESSAGE_SIZE_smaller_than_the_text_leaves_the_content_alone()
    {
        var message = new MessageFactory("pub", 3).Create(Now);

        Assert.Equal("Message #1", message.Content);
    }

    [Fact]
    public void Padded_message_still_reads_back()
    {
        var sent = new MessageFactory("pub", 4096).Create(Now);

        var result = MessageReader.Read(MessageReader.Write(sent));

        Assert.True(result.IsValid, result.Error);
        Assert.Equal(sent, result.Message);
    }
}
