using PubSubDemo.Subscriber.Dedupe;
using PubSubDemo.Subscriber.Selection;
using PubSubDemo.Messaging.Dedupe;

namespace PubSubDemo.UnitTests.Subscriber;

public sealed class DedupeSettingsTests
{
    [Fact]
    public void Off_by_default_with_a_day_of_memory()
    {
        var (settings, errors) = TestSettings.Load<DedupeSettings>();

        Assert.Empty(errors);
        Assert.False(settings.Enabled);
        Assert.Equal(TimeSpan.FromHours(24), settings.Ttl);
        Assert.False(settings.Audit);
    }

    [Fact]
    public void Every_value_is_read_from_its_variable()
    {
        var (settings, errors) = TestSettings.Load<DedupeSettings>(("DEDUPE", "true"), ("DEDUPE_TTL", "90m"), ("DEDUPE_AUDIT", "yes"));

        Assert.Empty(errors);
        Assert.True(settings.Enabled);
        Assert.Equal(TimeSpan.FromMinutes(90), settings.Ttl);
        Assert.True(settings.Audit);
    }

    [Theory]
    [InlineData("DEDUPE", "perhaps")]
    [InlineData("DEDUPE_TTL", "0")]
    [InlineData("DEDUPE_TTL", "soon")]
    [InlineData("DEDUPE_TTL", "-5m")]
    public void A_bad_value_is_one_line_that_names_its_variable(string name, string value)
    {
        var (_, errors) = name == "DEDUPE"
            ? TestSettings.Load<DedupeSettings>((name, value))
            : TestSettings.Load<DedupeSettings>(("DEDUPE", "true"), (name, value));

        var error = Assert.Single(errors);
        Assert.StartsWith($"{name}='{value}' is not valid:", error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_per_id_ledger_needs_DEDUPE()
    {
        var (_, errors) = TestSettings.Load<DedupeSettings>(("DEDUPE_AUDIT", "true"));

        var error = Assert.Single(errors);
        Assert.StartsWith("DEDUPE_AUDIT='true' is not valid:", error, StringComparison.Ordinal);
        Assert.Contains("DEDUPE=true", error, StringComparison.Ordinal);
    }
}
