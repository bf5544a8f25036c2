using System.Text.Json;
using PubSubDemo.OutboxTests.Support;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace PubSubDemo.OutboxTests;

/// <summary>
/// samples/Orders' two roles write the monitor report every service writes (pubsubdemo:monitor:&lt;instance&gt;), with
/// the outbox's figures read from their database: what the monitor's Outbox panel shows.
/// </summary>
[Collection(OutboxCollection.Name)]
public sealed class OrdersMonitorReportTests(OutboxServers servers, ITestOutputHelper output) : IAsyncLifetime
{
    private OrdersRun _run = null!;

    public async Task InitializeAsync() => _run = await OrdersRun.StartAsync(DatabaseKind.Sqlite, servers.Postgres, "monitor");

    public async Task DisposeAsync()
    {
        output.WriteLine(await _run.StopAsync());
        await _run.DisposeAsync();
    }

    [Fact]
    public async Task Both_roles_report_orders_saved_messages_sent_effects_applied_and_the_outbox_depth_to_the_monitor()
    {
        const int orders = 30;
        await OrdersRun.RunningAsync(_run.Start("order-service", orders));
        await OrdersRun.RunningAsync(_run.Start("stock-service", orders));

        var reports = new List<JsonElement>();
        await Wait.UntilAsync(async () =>
        {
            reports = await ReportsAsync();
            return reports.Count == 2 && reports.All(r => r.TryGetProperty("outbox", out var o)
                && o.GetProperty("saved").GetInt64() == orders && o.GetProperty("sent").GetInt64() == orders
                && o.GetProperty("applied").GetInt64() == orders && o.GetProperty("depth").GetInt64() == 0);
        }, $"both reports show {orders} saved, sent and applied, and nothing unsent", TimeSpan.FromSeconds(60));
        foreach (var report in reports)
        {
            output.WriteLine(report.GetRawText());
        }

        Assert.Equal(["publisher", "subscriber"], reports.Select(r => r.GetProperty("role").GetString()).Order());
        Assert.All(reports, r => Assert.Equal(0, r.GetProperty("outbox").GetProperty("parked").GetInt64()));
    }

    private async Task<List<JsonElement>> ReportsAsync()
    {
        var server = _run.Client.GetServers()[0];
        var reports = new List<JsonElement>();
        await foreach (var key in server.KeysAsync(pattern: "pubsubdemo:monitor:*"))
        {
            if (await _run.Client.GetDatabase().StringGetAsync(key) is { HasValue: true } value)
            {
                reports.Add(JsonDocument.Parse((string)value!).RootElement.Clone());
            }
        }

        return reports;
    }
}
