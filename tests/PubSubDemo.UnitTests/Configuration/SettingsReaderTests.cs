using PubSubDemo.UnitTests;

namespace PubSubDemo.UnitTests.Configuration;

public sealed class SettingsReaderTests
{
    [Fact]
    public void Unset_and_blank_values_fall_back_without_an_error()
    {
        var reader = TestSettings.Reader(("BLANK", "  "));

        Assert.Null(reader.Raw("UNSET"));
        Assert.Null(reader.Raw("BLANK"));
        Assert.Equal("fallback", reader.Text("BLANK", "fallback"));
        Assert.Equal(7, reader.Number("UNSET", 7, 0));
        Assert.Empty(reader.Errors);
    }

    [Fact]
    public void Values_are_trimmed()
    {
        var reader = TestSettings.Reader(("NAME", "  value \t"), ("COUNT", " 12 "));

        Assert.Equal("value", reader.Text("NAME", ""));
        Assert.Equal(12, reader.Count("COUNT", 0, 0));
        Assert.Empty(reader.Errors);
    }

    [Theory]
    [InlineData("abc", "use a whole number from 1 to 10")]
    [InlineData("0", "use a whole number from 1 to 10")]
    [InlineData("11", "use a whole number from 1 to 10")]
    [InlineData("2.5", "use a whole number from 1 to 10")]
    public void Bad_number_is_one_error_line_naming_variable_value_and_range(string value, string allowed)
    {
        var reader = TestSettings.Reader(("BATCH_SIZE", value));

        var result = reader.Count("BATCH_SIZE", 5, 1, 10);

        Assert.Equal(5, result);
        var error = Assert.Single(reader.Errors);
        Assert.Equal($"BATCH_SIZE='{value}' is not valid: {allowed}.", error);
    }

    [Fact]
    public void Number_without_an_upper_bound_says_only_the_minimum()
    {
        var reader = TestSettings.Reader(("MESSAGE_COUNT", "-1"));

        reader.Number("MESSAGE_COUNT", 0, 0);

        Assert.Equal("MESSAGE_COUNT='-1' is not valid: use a whole number >= 0.", Assert.Single(reader.Errors));
    }

    [Theory]
    [InlineData("1", true)]
    [InlineData("true", true)]
    [InlineData("TRUE", true)]
    [InlineData("yes", true)]
    [InlineData("on", true)]
    [InlineData("0", false)]
    [InlineData("false", false)]
    [InlineData("No", false)]
    [InlineData("off", false)]
    public void Flag_accepts_the_usual_spellings(string value, bool expected)
    {
        var reader = TestSettings.Reader(("LOG_MESSAGES", value));

        Assert.Equal(expected, reader.Flag("LOG_MESSAGES", !expected));
        Assert.Empty(reader.Errors);
    }

    [Fact]
    public void Bad_flag_is_an_error_and_keeps_the_fallback()
    {
        var reader = TestSettings.Reader(("LOG_MESSAGES", "maybe"));

        Assert.True(reader.Flag("LOG_MESSAGES", true));
        Assert.Equal("LOG_MESSAGES='maybe' is not valid: use true or false.", Assert.Single(reader.Errors));
    }

    [Fact]
    public void Duration_below_the_minimum_names_the_minimum()
    {
        var reader = TestSettings.Reader(("SUMMARY_INTERVAL", "10ms"));

        var value = reader.Duration("SUMMARY_INTERVAL", TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(100));

        Assert.Equal(TimeSpan.FromSeconds(5), value);
        Assert.Equal(
            "SUMMARY_INTERVAL='10ms' is not valid: use a duration of at least 100ms such as 2, 2.0, 500ms or 00:00:02.",
            Assert.Single(reader.Errors));
    }

    [Fact]
    public void Negative_duration_is_an_error()
    {
        var reader = TestSettings.Reader(("PUBLISH_INTERVAL", "-1"));

        Assert.Null(reader.OptionalDuration("PUBLISH_INTERVAL", TimeSpan.Zero));
        Assert.Equal(
            "PUBLISH_INTERVAL='-1' is not valid: use a duration >= 0 such as 2, 2.0, 500ms or 00:00:02.",
            Assert.Single(reader.Errors));
    }

    [Fact]
    public void Choice_is_case_insensitive()
    {
        var reader = TestSettings.Reader(("MODE", "FAST"));
        var allowed = new Dictionary<string, int> { ["slow"] = 1, ["fast"] = 2 };

        Assert.Equal(2, reader.Choice("MODE", 1, allowed));
        Assert.Empty(reader.Errors);
    }

    [Fact]
    public void NonEmpty_refuses_a_value_that_is_set_but_blank()
    {
        var reader = TestSettings.Reader(("CHANNEL", ""));

        Assert.Equal("messages", reader.NonEmpty("CHANNEL", "messages"));
        Assert.Equal("CHANNEL='' is not valid: it must not be empty.", Assert.Single(reader.Errors));
    }

    [Fact]
    public void Every_bad_value_is_reported_not_just_the_first()
    {
        var reader = TestSettings.Reader(("A", "x"), ("B", "y"));

        reader.Number("A", 0, 0);
        reader.Flag("B", false);

        Assert.Equal(2, reader.Errors.Count);
    }
}
