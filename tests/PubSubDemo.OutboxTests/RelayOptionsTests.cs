using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using PubSubDemo.OutboxTests.Support;

namespace PubSubDemo.OutboxTests;

/// <summary>The relay's settings are checked when the host starts, one line per bad setting.</summary>
public sealed class RelayOptionsTests
{
    [Fact]
    public async Task Bad_settings_stop_the_host_at_start_and_each_names_itself()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddDbContext<ShopContext>(options => options.UseSqlite("Data Source=:memory:"));
        builder.Services.AddSingleton<IOutboxTransport>(new RecordingTransport());
        builder.Services.AddMessagingOutbox<ShopContext>(options =>
        {
            options.BatchSize = 0;
            options.PollInterval = TimeSpan.Zero;
            options.MaxRefusals = -1;
        });
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("BatchSize must be 1 to 10000, not 0", error.Message, StringComparison.Ordinal);
        Assert.Contains("PollInterval must be positive", error.Message, StringComparison.Ordinal);
        Assert.Contains("MaxRefusals must be 0 (never park) to 1000, not -1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_inbox_settings_stop_the_host_at_start_and_name_themselves()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddDbContext<ShopContext>(options => options.UseSqlite("Data Source=:memory:"));
        builder.Services.AddMessagingInbox<ShopContext>(options => options.Retention = TimeSpan.Zero);
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("Inbox options 'PubSubDemo.OutboxTests.Support.ShopContext': Retention must be positive, not 00:00:00", error.Message, StringComparison.Ordinal);
    }
}
