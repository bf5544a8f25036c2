using PubSubDemo.Shared.Contract;
using PubSubDemo.Messaging.Contract;
using PubSubDemo.Messaging.Selection;

namespace PubSubDemo.UnitTests.Selection;

/// <summary>FILTER's parser and matcher: the documented syntax, its escapes, and the one-line reasons for what does not parse.</summary>
public sealed class MessageFilterTests
{
    private static readonly Message Order = new("order-17", "urgent: ship today", DateTimeOffset.UnixEpoch, "web-1", 17);

    [Theory]
    [InlineData("sender=web-1", true)]
    [InlineData("sender=web-2", false)]
    [InlineData("sender!=web-2", true)]
    [InlineData("sender!=web-1", false)]
    [InlineData("content~urgent", true)]
    [InlineData("content~Urgent", false)]
    [InlineData("id^=order-", true)]
    [InlineData("id^=17", false)]
    [InlineData("seq=17", true)]
    [InlineData("seq^=1", true)]
    [InlineData("sender=web-1;content~urgent;id^=order-", true)]
    [InlineData("sender=web-1;content~relaxed;id^=order-", false)]
    [InlineData("  sender=web-1;  seq!=18;", true)]
    [InlineData("SENDER=web-1", true)]
    public void Every_condition_must_hold(string filter, bool matches)
    {
        var (parsed, error) = MessageFilter.Parse(filter);

        Assert.Null(error);
        Assert.Equal(matches, parsed!.Matches(Order));
    }

    [Fact]
    public void A_message_without_a_sender_fails_equals_contains_and_starts_with_and_passes_not_equals()
    {
        var anonymous = Order with { Sender = null, Seq = null };

        Assert.False(Parse("sender=web-1").Matches(anonymous));
        Assert.False(Parse("sender~web").Matches(anonymous));
        Assert.False(Parse("seq^=1").Matches(anonymous));
        Assert.True(Parse("sender!=web-1").Matches(anonymous));
        Assert.True(Parse("seq!=17").Matches(anonymous));
    }

    [Fact]
    public void An_escaped_semicolon_and_backslash_are_part_of_the_value_and_spaces_count()
    {
        var filter = Parse(@"content=a\;b\\c ;id=x");

        Assert.Equal([new FilterCondition(FilterField.Content, FilterOperator.Equals, @"a;b\c "), new FilterCondition(FilterField.Id, FilterOperator.Equals, "x")], filter.Conditions);
        Assert.Equal(@"content=a\;b\\c ;id=x", filter.ToString());
    }

    [Fact]
    public void A_value_may_hold_operator_characters()
    {
        var filter = Parse("content==~^=!=");

        Assert.Equal(new FilterCondition(FilterField.Content, FilterOperator.Equals, "=~^=!="), Assert.Single(filter.Conditions));
    }

    [Theory]
    [InlineData("", "at position 1: no condition")]
    [InlineData("   ", "at position 4: no condition")]
    [InlineData("colour=red", "at position 1: unknown field 'colour'; use id, content, sender or seq")]
    [InlineData("sender=web-1;colour=red", "at position 14: unknown field 'colour'")]
    [InlineData("sender", "at position 7: expected an operator after 'sender'")]
    [InlineData("sender<web", "at position 7: expected an operator after 'sender'")]
    [InlineData("sender = web", "at position 7: expected an operator")]
    [InlineData("=web", "at position 1: expected a field name")]
    [InlineData("sender=a;;id=b", "at position 10: an empty condition between two ';'")]
    [InlineData("content~", "at position 9: '~' needs a value")]
    [InlineData("id^=;sender=a", "at position 5: '^=' needs a value")]
    [InlineData(@"content=a\b", @"at position 10: a backslash escapes only ; and \")]
    [InlineData(@"content=a\", "at position 10: a backslash")]
    public void What_does_not_parse_is_refused_with_the_position_and_the_reason(string filter, string reason)
    {
        var (parsed, error) = MessageFilter.Parse(filter);

        Assert.Null(parsed);
        Assert.NotNull(error);
        Assert.StartsWith(reason, error, StringComparison.Ordinal);
    }

    private static MessageFilter Parse(string text) =>
        MessageFilter.Parse(text) is ({ } filter, null) ? filter : throw new Xunit.Sdk.XunitException($"'{text}' did not parse");
}
