namespace PubSubDemo.Testing;

/// <summary>Channel and key names of one test, so tests share a server and run side by side.</summary>
public static class TestNames
{
    public static string Unique(string purpose) => $"test:{purpose}:{Guid.NewGuid().ToString("N")[..12]}";
}
