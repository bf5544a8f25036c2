using System.Diagnostics;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace PubSubDemo.AppHostTests;

/// <summary>
/// The AppHost with DEMO_SCENARIO=orders: samples/Orders' order service and stock service come up beside the server,
/// and orders saved through the outbox are reserved through the inbox, as the database shows.
/// </summary>
public sealed class AppHostOrdersTests(ITestOutputHelper output)
{
    private static readonly string[] Roles = ["order-service", "stock-service"];

    [Fact]
    public async Task The_orders_scenario_runs_the_order_and_stock_services_and_orders_get_reserved()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var database = Path.Combine(Directory.CreateTempSubdirectory("pubsubdemo-apphost-orders-").FullName, "orders.db");
        var appHost = await DistributedApplicationTestingBuilder.CreateAsync<Projects.PubSubDemo_AppHost>(
            [
                "REDIS_ADDR=", "REDIS_HOST=", "APPHOST_SERVER=redis-server", "DEMO_SCENARIO=orders",
                $"ORDERS_DB={database}", $"ORDERS_QUEUE={TestNames.Unique("aspire-orders")}", "ORDER_RATE=20",
            ],
            deadline.Token);
        appHost.Configuration["Logging:LogLevel:Default"] = "Warning";
        var clock = Stopwatch.StartNew();
        await using var app = await appHost.BuildAsync(deadline.Token);
        try
        {
            await app.StartAsync(deadline.Token);
            foreach (var role in Roles)
            {
                await app.ResourceNotifications.WaitForResourceAsync(role, KnownResourceStates.Running, deadline.Token);
            }

            output.WriteLine($"both roles running after {clock.Elapsed.TotalSeconds:0.0}s");
            long orders = 0, reserved = 0;
            await Wait.UntilAsync(async () =>
            {
                (orders, reserved) = (await CountAsync(database, "orders"), await CountAsync(database, "stock_reservations"));
                return orders >= 20 && reserved >= 20;
            }, "20 orders saved and reserved", TimeSpan.FromSeconds(60));
            output.WriteLine($"{orders} orders saved, {reserved} reserved after {clock.Elapsed.TotalSeconds:0.0}s");
        }
        finally
        {
            await app.StopAsync(CancellationToken.None);
            SqliteConnection.ClearAllPools();
            Directory.Delete(Path.GetDirectoryName(database)!, recursive: true);
        }
    }

    private static async Task<long> CountAsync(string database, string table)
    {
        try
        {
            await using var connection = new SqliteConnection($"Data Source={database};Mode=ReadOnly");
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT COUNT(*) FROM {table}";
            return (long)(await command.ExecuteScalarAsync())!;
        }
        catch (SqliteException)
        {
            // The file or its tables are not there yet.
            return 0;
        }
    }
}
