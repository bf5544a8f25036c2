using PubSubDemo.OutboxTests.Support;

namespace PubSubDemo.OutboxTests;

/// <summary>samples/Orders refuses a bad setting before it touches a server: one line naming the variable, exit code 2.</summary>
public sealed class OrdersSettingsTests
{
    [Theory]
    [InlineData("ORDER_RATE", "fast", "error: ORDER_RATE='fast' is not a number of orders per second (0 = as fast as it can)")]
    [InlineData("ORDER_COUNT", "-5", "error: ORDER_COUNT='-5' is not a whole number of orders (0 = until stopped)")]
    [InlineData("ORDERS_QUEUE", "my orders", "error: ORDERS_QUEUE='my orders' is not a queue name (non-empty, no spaces)")]
    [InlineData("ORDERS_DB", " ", "error: ORDERS_DB is empty; give an SQLite file path or a PostgreSQL connection string starting with 'Host='")]
    public async Task A_bad_setting_is_one_line_naming_it_and_exit_code_2(string variable, string value, string line)
    {
        await using var process = ServiceProcess.StartExecutable("dotnet", new Dictionary<string, string?> { [variable] = value }, OrdersRun.OrdersDll(), "order-service");
        Assert.Equal(2, await process.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal([line], process.ErrorOutput);
    }

    [Fact]
    public async Task An_unknown_role_is_one_line_naming_the_roles_and_exit_code_2()
    {
        await using var process = ServiceProcess.StartExecutable("dotnet", new Dictionary<string, string?>(), OrdersRun.OrdersDll(), "warehouse");
        Assert.Equal(2, await process.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(["error: role 'warehouse' is not known; use order-service or stock-service"], process.ErrorOutput);
    }
}
