using System.Globalization;

namespace PubSubDemo.Bench;

/// <summary>How long and how hard each part runs: the full run (about 10 minutes) or --quick (about 3.5 minutes).</summary>
internal sealed record BenchOptions
{
    public required bool Quick { get; init; }

    /// <summary>The repository root: the services' Release builds and bench/results are found from here.</summary>
    public required string Root { get; init; }

    /// <summary>MESSAGE_SIZE for the publisher; redis-benchmark sends a payload of the resulting size.</summary>
    public int MessageSize { get; init; }

    public string ResultsFolder => Path.Combine(Root, "bench", "results");

    /// <summary>Requests per redis-benchmark run over one unpipelined connection.</summary>
    public int UnpipelinedRequests => Quick ? 3_000 : 50_000;

    /// <summary>Requests per redis-benchmark run over 50 connections with pipeline 16.</summary>
    public int PipelinedRequests => Quick ? 100_000 : 2_000_000;

    /// <summary>How long the publisher sends as fast as it can in a peak-throughput run.</summary>
    public TimeSpan PeakDuration => Quick ? TimeSpan.FromSeconds(1.2) : TimeSpan.FromSeconds(10);

    /// <summary>How long a fixed-rate latency run lasts.</summary>
    public TimeSpan LatencyDuration => Quick ? TimeSpan.FromSeconds(1.5) : TimeSpan.FromSeconds(12);

    /// <summary>How long the idle-pickup run lasts (one item every 50 ms).</summary>
    public TimeSpan PickupDuration => Quick ? TimeSpan.FromSeconds(1.5) : TimeSpan.FromSeconds(10);

    public double PickupRate => 20;

    /// <summary>How long the idle services' CPU is measured (the target is per 30 s).</summary>
    public TimeSpan IdleDuration => Quick ? TimeSpan.FromSeconds(3) : TimeSpan.FromSeconds(30);

    /// <summary>Pipelined PUBLISH requests in a redis-benchmark burst into our subscribers.</summary>
    public int BurstRequests => Quick ? 50_000 : 500_000;

    /// <summary>Idle time between "subscribers ready" and the publisher's start, when their resting memory is read.</summary>
    public TimeSpan Rest => Quick ? TimeSpan.FromSeconds(0.2) : TimeSpan.FromSeconds(1);

    /// <summary>Left out of latency percentiles and steady-state rates: JIT, tiering and connection warm-up.</summary>
    public TimeSpan Warmup => Quick ? TimeSpan.FromSeconds(0.3) : TimeSpan.FromSeconds(2);

    /// <summary>Only the reference comparison (section 2b): for trying a knob on our subscriber in a few minutes.</summary>
    public bool ReferencesOnly { get; init; }

    /// <summary>Only the outbox and inbox section (section 5): for measuring issue 22's figures on their own.</summary>
    public bool OutboxOnly { get; init; }

    /// <summary>Extra environment for our subscriber only (--ours-env NAME=VALUE), e.g. a runtime knob under trial.</summary>
    public IReadOnlyDictionary<string, string> OursEnvironment { get; init; } = new Dictionary<string, string>();

    public static BenchOptions Parse(string[] args)
    {
        var quick = false;
        var referencesOnly = false;
        var outboxOnly = false;
        var oursEnvironment = new Dictionary<string, string>();
        var root = Directory.GetCurrentDirectory();
        var size = 0;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--quick":
                    quick = true;
                    break;
                case "--root" when i + 1 < args.Length:
                    root = args[++i];
                    break;
                case "--message-size" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var parsed):
                    size = parsed;
                    i++;
                    break;
                case "--references-only":
                    referencesOnly = true;
                    break;
                case "--outbox":
                    outboxOnly = true;
                    break;
                case "--ours-env" when i + 1 < args.Length && args[i + 1].Split('=', 2) is [{ Length: > 0 } name, var value]:
                    oursEnvironment[name] = value;
                    i++;
                    break;
                default:
                    throw new ArgumentException($"unknown argument '{args[i]}': use --quick, --references-only, --outbox, --ours-env NAME=VALUE, --message-size N (payload bytes of content) or --root DIR");
            }
        }

        return new BenchOptions { Quick = quick, Root = Path.GetFullPath(root), MessageSize = size, ReferencesOnly = referencesOnly, OutboxOnly = outboxOnly, OursEnvironment = oursEnvironment };
    }
}
