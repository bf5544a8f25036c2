namespace Orders;

/// <summary>The two roles of the one executable, named by its first argument.</summary>
internal static class Roles
{
    public const string OrderService = "order-service";

    public const string StockService = "stock-service";
}
