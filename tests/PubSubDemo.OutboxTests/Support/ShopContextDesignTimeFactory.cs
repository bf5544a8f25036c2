using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace PubSubDemo.OutboxTests.Support;

/// <summary>
/// What <c>dotnet ef migrations add</c> builds the model from, as an app would have: the migration in Migrations/ was
/// made with <c>dotnet ef migrations add Initial --project tests/PubSubDemo.OutboxTests --context ShopContext
/// --output-dir Migrations</c> (dotnet-ef 10.0.15). SQLite's, since migrations are written per provider.
/// </summary>
public sealed class ShopContextDesignTimeFactory : IDesignTimeDbContextFactory<ShopContext>
{
    public ShopContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<ShopContext>().UseSqlite("Data Source=design-time.db").Options);
}
