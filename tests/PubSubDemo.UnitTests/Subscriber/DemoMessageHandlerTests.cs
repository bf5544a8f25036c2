using PubSubDemo.Messaging;
using Microsoft.Extensions.Time.Testing;
using PubSubDemo.Shared.Contract;
using PubSubDemo.Messaging.Contract;
using PubSubDemo.Subscriber;
using PubSubDemo.Messaging.Processing;

namespace PubSubDemo.UnitTests.Subscriber;

public sealed class DemoMessageHandlerTests
{
    private static ReceivedMessage Received(string content) =>
        new(MessageSource.Queue, new Message("a", content, DateTimeOffset.UnixEpoch));

    [Fact]
    public async Task Without_FAIL_ON_or_HANDLER_DELAY_a_message_is_handled_at_once()
    {
        var handler = new DemoMessageHandler(new SubscriberSettings(), new FakeTimeProvider());

        var handling = handler.HandleAsync(Received("Message #1"), CancellationToken.None);

        Assert.True(handling.IsCompletedSuccessfully);
        await handling;
    }

    [Fact]
    public async Task Content_containing_FAIL_ON_makes_the_handler_fail()
    {
        var handler = new DemoMessageHandler(new SubscriberSettings { FailOn = "#13" }, new FakeTimeProvider());

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => handler.HandleAsync(Received("Message #13"), CancellationToken.None).AsTask());
        Assert.Contains("#13", ex.Message, StringComparison.Ordinal);
        await handler.HandleAsync(Received("Message #14"), CancellationToken.None);
    }

    [Fact]
    public async Task HANDLER_DELAY_holds_each_message_for_that_long()
    {
        var time = new FakeTimeProvider();
        var handler = new DemoMessageHandler(new SubscriberSettings { HandlerDelay = TimeSpan.FromMilliseconds(500) }, time);

        var handling = handler.HandleAsync(Received("m"), CancellationToken.None).AsTask();
        time.Advance(TimeSpan.FromMilliseconds(499));
        Assert.False(handling.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));

        await handling.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(handling.IsCompletedSuccessfully);
    }
}
