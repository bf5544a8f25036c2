namespace PubSubDemo.Bench;

/// <summary>
/// What the benchmark runs for each service: the Native AOT binary that run.sh had scripts/aot.sh publish
/// (BENCH_PUBLISHER, BENCH_SUBSCRIBER), else the Release build's dll on the JIT. A path ending in .dll runs
/// under <c>dotnet</c>; anything else is executed as it is.
/// </summary>
internal static class ServicePrograms
{
    public static string Publisher(BenchOptions options) => Find(options, "Publisher", "BENCH_PUBLISHER");

    public static string Subscriber(BenchOptions options) => Find(options, "Subscriber", "BENCH_SUBSCRIBER");

    /// <summary>"Native AOT" or "JIT", for the report's machine line.</summary>
    public static string Kind(BenchOptions options) =>
        IsDll(Publisher(options)) || IsDll(Subscriber(options)) ? "services on the JIT (dotnet *.dll)" : "services as Native AOT binaries";

    public static bool IsDll(string path) => path.EndsWith(".dll", StringComparison.OrdinalIgnoreCase);

    private static string Find(BenchOptions options, string service, string variable) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } given && File.Exists(given)
            ? given
            : Path.Combine(options.Root, service, "bin", "Release", "net10.0", $"PubSubDemo.{service}.dll");
}
