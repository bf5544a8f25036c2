using PubSubDemo.Shared.Configuration;
using PubSubDemo.Messaging.Configuration;

namespace PubSubDemo.UnitTests.Configuration;

public sealed class MessagingSettingsTests
{
    [Fact]
    public void Defaults_match_the_seed_projects()
    {
        var (settings, errors) = TestSettings.Load<MessagingSettings>();

        Assert.Empty(errors);
        Assert.Equal("messages", settings.Channel);
        Assert.Equal("message_queue", settings.Queue);
        Assert.Equal("message_stream", settings.Stream);
        Assert.Equal("subscribers", settings.Group);
        Assert.Equal(Pattern.Both, settings.Pattern);
        Assert.False(settings.ChannelIsPattern);
        Assert.False(string.IsNullOrWhiteSpace(settings.InstanceName));
    }

    [Theory]
    [InlineData("pubsub", Pattern.PubSub)]
    [InlineData("queue", Pattern.Queue)]
    [InlineData("stream", Pattern.Stream)]
    [InlineData("both", Pattern.Both)]
    [InlineData("all", Pattern.All)]
    [InlineData("PubSub", Pattern.PubSub)]
    [InlineData(" QUEUE ", Pattern.Queue)]
    public void PATTERN_values_are_read(string value, Pattern expected)
    {
        var (settings, errors) = TestSettings.Load<MessagingSettings>(("PATTERN", value));

        Assert.Empty(errors);
        Assert.Equal(expected, settings.Pattern);
    }

    [Fact]
    public void Bogus_PATTERN_is_one_error_line_naming_PATTERN_the_value_and_the_allowed_values()
    {
        var (_, errors) = TestSettings.Load<MessagingSettings>(("PATTERN", "bogus"));

        Assert.Equal("PATTERN='bogus' is not valid: use pubsub, queue, stream, both or all.", Assert.Single(errors));
    }

    [Theory]
    [InlineData(Pattern.PubSub, true, false, false)]
    [InlineData(Pattern.Queue, false, true, false)]
    [InlineData(Pattern.Stream, false, false, true)]
    [InlineData(Pattern.Both, true, true, false)]
    [InlineData(Pattern.All, true, true, true)]
    public void Uses_tells_which_paths_a_pattern_includes(Pattern pattern, bool pubSub, bool queue, bool stream)
    {
        var settings = new MessagingSettings { Pattern = pattern };

        Assert.Equal(pubSub, settings.Uses(Pattern.PubSub));
        Assert.Equal(queue, settings.Uses(Pattern.Queue));
        Assert.Equal(stream, settings.Uses(Pattern.Stream));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Empty_CHANNEL_is_an_error(string value)
    {
        var (settings, errors) = TestSettings.Load<MessagingSettings>(("CHANNEL", value));

        Assert.Equal($"CHANNEL='{value}' is not valid: it must not be empty.", Assert.Single(errors));
        Assert.Equal("messages", settings.Channel);
    }

    [Theory]
    [InlineData("QUEUE")]
    [InlineData("STREAM")]
    [InlineData("GROUP")]
    public void Empty_queue_stream_or_group_name_is_an_error_naming_it(string name)
    {
        var (_, errors) = TestSettings.Load<MessagingSettings>((name, ""));

        Assert.StartsWith($"{name}='' is not valid", Assert.Single(errors), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("news.*")]
    [InlineData("news.?")]
    [InlineData("news.[ab]")]
    public void Glob_CHANNEL_makes_the_channel_a_pattern(string channel)
    {
        var (settings, errors) = TestSettings.Load<MessagingSettings>(("CHANNEL", channel));

        Assert.Empty(errors);
        Assert.Equal(channel, settings.Channel);
        Assert.True(settings.ChannelIsPattern);
    }

    [Fact]
    public void Plain_CHANNEL_is_not_a_pattern()
    {
        var (settings, errors) = TestSettings.Load<MessagingSettings>(("CHANNEL", "news.sports"));

        Assert.Empty(errors);
        Assert.False(settings.ChannelIsPattern);
    }

    [Fact]
    public void Glob_QUEUE_is_an_error()
    {
        var (_, errors) = TestSettings.Load<MessagingSettings>(("QUEUE", "jobs*"));

        Assert.Equal("QUEUE='jobs*' is not valid: a queue name cannot hold glob characters (* ? [).", Assert.Single(errors));
    }

    [Fact]
    public void Glob_STREAM_is_an_error()
    {
        var (_, errors) = TestSettings.Load<MessagingSettings>(("STREAM", "events?"));

        Assert.StartsWith("STREAM='events?' is not valid", Assert.Single(errors), StringComparison.Ordinal);
    }

    [Fact]
    public void INSTANCE_NAME_overrides_the_generated_name()
    {
        var (settings, _) = TestSettings.Load<MessagingSettings>(("INSTANCE_NAME", "publisher-1"));

        Assert.Equal("publisher-1", settings.InstanceName);
    }

    [Fact]
    public void Generated_instance_names_differ_between_instances()
    {
        var first = TestSettings.Load<MessagingSettings>().Settings.InstanceName;
        var second = TestSettings.Load<MessagingSettings>().Settings.InstanceName;

        Assert.NotEqual(first, second);
    }

    [Theory]
    [InlineData("63")]
    [InlineData("lots")]
    public void MAX_MESSAGE_BYTES_below_64_or_not_a_number_is_an_error(string value)
    {
        var (_, errors) = TestSettings.Load<MessagingSettings>(("MAX_MESSAGE_BYTES", value));

        Assert.StartsWith($"MAX_MESSAGE_BYTES='{value}' is not valid", Assert.Single(errors), StringComparison.Ordinal);
    }

    [Fact]
    public void Several_bad_values_are_all_reported()
    {
        var (_, errors) = TestSettings.Load<MessagingSettings>(("PATTERN", "bogus"), ("QUEUE", "q*"), ("CHANNEL", ""));

        Assert.Equal(3, errors.Count);
    }
}
