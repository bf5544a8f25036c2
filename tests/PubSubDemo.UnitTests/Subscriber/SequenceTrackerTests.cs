using PubSubDemo.Subscriber.Figures;

namespace PubSubDemo.UnitTests.Subscriber;

public sealed class SequenceTrackerTests
{
    private static SequenceOutcome Observe(SequenceTracker tracker, string sender, long seq) => tracker.Observe(sender, seq, out _);

    [Fact]
    public void First_message_from_a_sender_is_First_whatever_its_number()
    {
        var tracker = new SequenceTracker();

        Assert.Equal(SequenceOutcome.First, tracker.Observe("pub", 57, out var missing));
        Assert.Equal(0, missing);
        Assert.Equal(0, tracker.Missing);
    }

    [Fact]
    public void Consecutive_numbers_are_in_order_and_count_nothing()
    {
        var tracker = new SequenceTracker();
        Observe(tracker, "pub", 1);

        for (var seq = 2; seq <= 100; seq++)
        {
            Assert.Equal(SequenceOutcome.InOrder, Observe(tracker, "pub", seq));
        }

        Assert.Equal((0, 0, 0), (tracker.Missing, tracker.Duplicates, tracker.Reorders));
    }

    [Fact]
    public void Skipped_numbers_are_a_gap_counted_as_missing()
    {
        var tracker = new SequenceTracker();
        Observe(tracker, "pub", 1);
        Observe(tracker, "pub", 2);

        Assert.Equal(SequenceOutcome.Gap, tracker.Observe("pub", 5, out var missing));
        Assert.Equal(2, missing);
        Assert.Equal(2, tracker.Missing);
        Assert.Equal(SequenceOutcome.InOrder, Observe(tracker, "pub", 6));
    }

    [Fact]
    public void Late_arrival_of_a_skipped_number_is_a_reorder_and_no_longer_missing()
    {
        var tracker = new SequenceTracker();
        Observe(tracker, "pub", 1);
        Observe(tracker, "pub", 3);

        Assert.Equal(SequenceOutcome.Reorder, Observe(tracker, "pub", 2));
        Assert.Equal(0, tracker.Missing);
        Assert.Equal(1, tracker.Reorders);
        Assert.Equal(0, tracker.Duplicates);
    }

    [Fact]
    public void Number_seen_before_is_a_duplicate()
    {
        var tracker = new SequenceTracker();
        Observe(tracker, "pub", 1);
        Observe(tracker, "pub", 2);

        Assert.Equal(SequenceOutcome.Duplicate, Observe(tracker, "pub", 2));
        Assert.Equal(SequenceOutcome.Duplicate, Observe(tracker, "pub", 1));
        Assert.Equal(2, tracker.Duplicates);
        Assert.Equal(0, tracker.Missing);
        Assert.Equal(SequenceOutcome.InOrder, Observe(tracker, "pub", 3));
    }

    [Fact]
    public void Late_arrival_seen_twice_is_a_reorder_then_a_duplicate()
    {
        var tracker = new SequenceTracker();
        Observe(tracker, "pub", 1);
        Observe(tracker, "pub", 3);

        Assert.Equal(SequenceOutcome.Reorder, Observe(tracker, "pub", 2));
        Assert.Equal(SequenceOutcome.Duplicate, Observe(tracker, "pub", 2));
        Assert.Equal((0, 1, 1), (tracker.Missing, tracker.Duplicates, tracker.Reorders));
    }

    [Fact]
    public void Senders_are_followed_independently()
    {
        var tracker = new SequenceTracker();

        Assert.Equal(SequenceOutcome.First, Observe(tracker, "pub-a", 1));
        Assert.Equal(SequenceOutcome.First, Observe(tracker, "pub-b", 100));
        Assert.Equal(SequenceOutcome.InOrder, Observe(tracker, "pub-a", 2));
        Assert.Equal(SequenceOutcome.InOrder, Observe(tracker, "pub-b", 101));
        Assert.Equal(SequenceOutcome.Gap, Observe(tracker, "pub-a", 4));
        Assert.Equal(SequenceOutcome.InOrder, Observe(tracker, "pub-b", 102));

        Assert.Equal(2, tracker.Senders);
        Assert.Equal(1, tracker.Missing);
    }

    [Fact]
    public void Sender_names_are_case_sensitive()
    {
        var tracker = new SequenceTracker();
        Observe(tracker, "pub", 1);

        Assert.Equal(SequenceOutcome.First, Observe(tracker, "PUB", 1));
    }

    [Fact]
    public void Shuffled_delivery_of_every_number_ends_with_nothing_missing()
    {
        var tracker = new SequenceTracker();
        Observe(tracker, "pub", 1);
        long[] arrivals = [2, 5, 3, 4, 9, 6, 8, 7, 10];

        foreach (var seq in arrivals)
        {
            Observe(tracker, "pub", seq);
        }

        Assert.Equal(0, tracker.Missing);
        Assert.Equal(0, tracker.Duplicates);
        Assert.Equal(5, tracker.Reorders);
    }

    [Fact]
    public void Very_large_gap_remembers_the_most_recent_numbers_and_keeps_older_ones_counted_as_lost()
    {
        var tracker = new SequenceTracker();
        Observe(tracker, "pub", 1);

        Assert.Equal(SequenceOutcome.Gap, tracker.Observe("pub", 20_002, out var missing));
        Assert.Equal(20_000, missing);

        Assert.Equal(SequenceOutcome.Reorder, Observe(tracker, "pub", 20_001));
        Assert.Equal(SequenceOutcome.Duplicate, Observe(tracker, "pub", 2));
        Assert.Equal(19_999, tracker.Missing);
    }

    [Fact]
    public void Late_arrival_is_still_a_reorder_after_ten_thousand_earlier_losses()
    {
        // The memory of missing numbers is bounded; it should forget the oldest, not stop learning new ones.
        var tracker = new SequenceTracker();
        Observe(tracker, "pub", 1);
        Observe(tracker, "pub", 10_002);   // 10,000 lost: fills the memory
        Observe(tracker, "pub", 10_004);   // 10,003 skipped

        Assert.Equal(SequenceOutcome.Reorder, Observe(tracker, "pub", 10_003));
        Assert.Equal(10_000, tracker.Missing);
        Assert.Equal(0, tracker.Duplicates);
    }

    [Fact]
    public async Task Concurrent_observations_from_many_senders_are_all_counted()
    {
        var tracker = new SequenceTracker();

        await Task.WhenAll(Enumerable.Range(0, 8).Select(n => Task.Run(() =>
        {
            var sender = $"pub-{n}";
            for (var seq = 1; seq <= 10_000; seq++)
            {
                if (seq % 10 != 0)
                {
                    Observe(tracker, sender, seq);
                }
            }
        })));

        Assert.Equal(8, tracker.Senders);
        Assert.Equal(8 * 999, tracker.Missing);
    }
}
