namespace PubSubDemo.PackageTests;

/// <summary>One server for the packaged QuickStart to send its orders through.</summary>
[CollectionDefinition(Name)]
public sealed class ServerCollection : ICollectionFixture<RedisServerFixture>
{
    public const string Name = "server";
}
