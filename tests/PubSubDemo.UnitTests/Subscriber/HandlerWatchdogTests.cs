using PubSubDemo.Messaging;
using PubSubDemo.Messaging.Processing;
using PubSubDemo.Messaging.Telemetry;

namespace PubSubDemo.UnitTests.Subscriber;

/// <summary>The handler watchdog with several calls of one source at once, as a CHANNEL list runs them.</summary>
public sealed class HandlerWatchdogTests
{
    [Fact]
    public void A_stuck_call_stays_visible_while_other_calls_of_its_source_come_and_go()
    {
        var watchdog = new HandlerWatchdog();
        watchdog.Enter(MessageSource.Channel, 100);
        for (long started = 200; started < 210; started++)
        {
            watchdog.Enter(MessageSource.Channel, started);
            watchdog.Exit(MessageSource.Channel, started);
        }

        Assert.Equal([(MessageSource.Channel, 100L)], watchdog.Running());
    }

    [Fact]
    public void When_the_oldest_call_returns_the_next_oldest_counts_and_none_once_all_returned()
    {
        var watchdog = new HandlerWatchdog();
        watchdog.Enter(MessageSource.Channel, 100);
        watchdog.Enter(MessageSource.Channel, 150);
        watchdog.Enter(MessageSource.Queue, 120);

        watchdog.Exit(MessageSource.Channel, 100);
        Assert.Equal([(MessageSource.Channel, 150L), (MessageSource.Queue, 120L)], watchdog.Running());

        watchdog.Exit(MessageSource.Channel, 150);
        watchdog.Exit(MessageSource.Queue, 120);
        Assert.Empty(watchdog.Running());
    }
}
