using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using PubSubDemo.Shared.Configuration;
using PubSubDemo.Messaging.Configuration;

namespace PubSubDemo.UnitTests.Configuration;

/// <summary>Each settings class is read once per host: what registration decided on is what the services get.</summary>
public sealed class SettingsRegistrationTests
{
    private static HostApplicationBuilder Builder(params (string Name, string? Value)[] values)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(values.Select(v => KeyValuePair.Create(v.Name, v.Value)));
        return builder;
    }

    [Fact]
    public void The_instance_read_at_registration_is_the_one_injected()
    {
        var builder = Builder(("PATTERN", "stream"));
        builder.Services.AddSettings<MessagingSettings>();
        var atRegistration = builder.AddSettings<MessagingSettings>();

        using var host = builder.Build();

        Assert.Equal(Pattern.Stream, atRegistration.Pattern);
        Assert.Same(atRegistration, host.Services.GetRequiredService<MessagingSettings>());
        Assert.Same(atRegistration, host.Services.GetRequiredService<IOptions<MessagingSettings>>().Value);
        Assert.Same(atRegistration, builder.AddSettings<MessagingSettings>());
    }

    [Fact]
    public void A_bad_value_fails_validation_on_start_with_the_readers_line()
    {
        var builder = Builder(("BATCH_SIZE", "0"));
        builder.AddSettings<PubSubDemo.Subscriber.SubscriberSettings>();
        using var host = builder.Build();

        var failure = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IOptions<PubSubDemo.Subscriber.SubscriberSettings>>().Value);

        Assert.Equal("BATCH_SIZE='0' is not valid: use a whole number from 1 to 5000.", Assert.Single(failure.Failures));
        Assert.Equal(failure.Failures, host.Services.GetServices<ISettingsErrors>().SelectMany(e => e.Errors));
    }
}
