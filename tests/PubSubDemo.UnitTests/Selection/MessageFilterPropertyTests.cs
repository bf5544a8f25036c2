using CsCheck;
using PubSubDemo.Shared.Contract;
using PubSubDemo.Messaging.Contract;
using PubSubDemo.Messaging.Selection;

namespace PubSubDemo.UnitTests.Selection;

/// <summary>FILTER under generated input: any text parses or is refused with a position, written filters read back the same, and the matcher agrees with what each operator means.</summary>
public sealed class MessageFilterPropertyTests
{
    /// <summary>Values full of the characters the syntax gives meaning to.</summary>
    private static readonly Gen<string> Value = Gen.Char[@"ab ;\=!~^-_,.*"].Array[0, 8].Select(c => new string(c));

    private static readonly Gen<FilterCondition> Condition = Gen.Select(Gen.Enum<FilterField>(), Gen.Enum<FilterOperator>(), Value,
        (field, op, value) => new FilterCondition(field, op, value.Length == 0 && op is FilterOperator.Contains or FilterOperator.StartsWith ? "x" : value));

    [Fact]
    public void Any_text_as_FILTER_parses_or_is_refused_with_a_position_inside_it() =>
        Gen.OneOf(Gen.String, Gen.Char[@"idcontentsenderq=!~^; \"].Array[0, 30].Select(c => new string(c))).Sample(text =>
        {
            var (filter, error) = MessageFilter.Parse(text);
            Assert.True(filter is null != (error is null), $"'{text}': filter={filter}, error={error}");
            if (error is not null)
            {
                var position = int.Parse(error["at position ".Length..error.IndexOf(':', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture);
                Assert.InRange(position, 1, text.Length + 1);
            }
        }, iter: 20_000);

    [Fact]
    public void A_written_filter_reads_back_as_the_same_conditions() =>
        Condition.List[1, 5].Sample(conditions =>
        {
            var written = new MessageFilter(conditions).ToString();
            var (parsed, error) = MessageFilter.Parse(written);

            Assert.True(error is null, $"'{written}': {error}");
            Assert.Equal(conditions, parsed!.Conditions);
        }, iter: 5_000);

    [Fact]
    public void Each_operator_means_what_it_says_on_a_field_built_around_the_value() =>
        Gen.Select(Gen.Enum<FilterField>(), Value.Where(v => v.Length > 0), Value, Value).Sample((field, value, before, after) =>
        {
            if (field == FilterField.Seq)
            {
                return; // a number: covered by the examples
            }

            var around = With(field, before + value + after);
            var starting = With(field, value + after);
            var exact = With(field, value);

            Assert.True(new FilterCondition(field, FilterOperator.Contains, value).Matches(around));
            Assert.True(new FilterCondition(field, FilterOperator.StartsWith, value).Matches(starting));
            Assert.True(new FilterCondition(field, FilterOperator.Equals, value).Matches(exact));
            Assert.False(new FilterCondition(field, FilterOperator.NotEquals, value).Matches(exact));
            Assert.Equal(before + value + after != value, new FilterCondition(field, FilterOperator.NotEquals, value).Matches(around));
            Assert.Equal((before + value + after).StartsWith(value, StringComparison.Ordinal), new FilterCondition(field, FilterOperator.StartsWith, value).Matches(around));
        }, iter: 5_000);

    [Fact]
    public void A_filter_matches_exactly_when_every_condition_does() =>
        Gen.Select(Condition.List[1, 4], Value, Value, Value).Sample((conditions, id, content, sender) =>
        {
            var message = new Message(id, content, DateTimeOffset.UnixEpoch, sender, 7);
            Assert.Equal(conditions.All(c => c.Matches(message)), new MessageFilter(conditions).Matches(message));
        }, iter: 5_000);

    private static Message With(FilterField field, string text) => field switch
    {
        FilterField.Id => new Message(text, "c", DateTimeOffset.UnixEpoch),
        FilterField.Content => new Message("i", text, DateTimeOffset.UnixEpoch),
        _ => new Message("i", "c", DateTimeOffset.UnixEpoch, text),
    };
}
