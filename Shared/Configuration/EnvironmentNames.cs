using PubSubDemo.Messaging;
using PubSubDemo.Messaging.Configuration;
namespace PubSubDemo.Shared.Configuration;

/// <summary>Every environment variable the services and the monitor read, in one place so the README table and the test helpers that clear the environment can be checked against it.</summary>
internal static class EnvironmentNames
{
    public const string RedisAddr = "REDIS_ADDR";
    public const string RedisHost = "REDIS_HOST";
    public const string RedisPort = "REDIS_PORT";

    // Trust (issue 12): the password as a file (Docker secrets), TLS certificates, where the HTTP listeners bind.
    public const string RedisPasswordFile = "REDIS_PASSWORD_FILE";
    public const string RedisTlsCa = "REDIS_TLS_CA";
    public const string RedisTlsCert = "REDIS_TLS_CERT";
    public const string RedisTlsKey = "REDIS_TLS_KEY";
    public const string MonitorBind = "MONITOR_BIND";
    public const string MetricsBind = "METRICS_BIND";
    public const string RunningInContainer = "DOTNET_RUNNING_IN_CONTAINER";

    public const string Channel = "CHANNEL";
    public const string Queue = "QUEUE";
    public const string Stream = "STREAM";
    public const string Group = "GROUP";
    public const string StreamStart = "STREAM_START";
    public const string StreamMaxLength = "STREAM_MAXLEN";
    public const string Pattern = "PATTERN";
    public const string MaxMessageBytes = "MAX_MESSAGE_BYTES";
    public const string InstanceName = "INSTANCE_NAME";
    public const string SummaryInterval = "SUMMARY_INTERVAL";
    public const string LogMessages = "LOG_MESSAGES";

    // Redis Cluster (issue 9).
    public const string PubSubMode = "PUBSUB_MODE";
    public const string Partitions = "PARTITIONS";
    public const string MessageKey = "MESSAGE_KEY";

    public const string PublishInterval = "PUBLISH_INTERVAL";
    public const string PublishRate = "PUBLISH_RATE";
    public const string MessageCount = "MESSAGE_COUNT";
    public const string MessageSize = "MESSAGE_SIZE";
    public const string Duration = "DURATION";
    public const string PublishBuffer = "PUBLISH_BUFFER";

    // Retries and delayed messages (issue 11): DELAY on the publisher, the backoff on the subscriber.
    public const string Delay = "DELAY";
    public const string RetryBackoff = "RETRY_BACKOFF";
    public const string RetryBackoffMax = "RETRY_BACKOFF_MAX";

    public const string ConsumerName = "CONSUMER_NAME";
    public const string BatchSize = "BATCH_SIZE";
    public const string ChannelBuffer = "CHANNEL_BUFFER";
    public const string HeartbeatTtl = "HEARTBEAT_TTL";
    public const string MaxAttempts = "MAX_ATTEMPTS";
    public const string ClaimIdle = "CLAIM_IDLE";
    public const string IdlePoll = "IDLE_POLL";
    public const string BlockingTake = "BLOCKING_TAKE";
    public const string HandlerDelay = "HANDLER_DELAY";
    public const string FailOn = "FAIL_ON";

    // Effectively-once handling (issue 11): markers of handled ids, and the demo handler's per-id effect ledger.
    public const string Dedupe = "DEDUPE";
    public const string DedupeTtl = "DEDUPE_TTL";
    public const string DedupeAudit = "DEDUPE_AUDIT";
    // Several topics and filters (issue 11): which messages the handler sees, and how fast.
    public const string Filter = "FILTER";
    public const string HandleRate = "HANDLE_RATE";

    // Being watched: metrics and health endpoints, liveness, the monitor report, OpenTelemetry export.
    public const string MetricsPort = "METRICS_PORT";
    public const string StallTimeout = "STALL_TIMEOUT";
    public const string MonitorReport = "MONITOR_REPORT";

    /// <summary>The standard OpenTelemetry variable: when set, metrics, logs and message traces are also pushed there over OTLP.</summary>
    public const string OtlpEndpoint = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>The standard sampler variables, read by the OpenTelemetry SDK itself when it exports traces.</summary>
    public const string TracesSampler = "OTEL_TRACES_SAMPLER";

    public const string TracesSamplerArg = "OTEL_TRACES_SAMPLER_ARG";

    // The benchmark's figures, written at shutdown.
    public const string StatsFile = "STATS_FILE";
    public const string StatsWarmup = "STATS_WARMUP";
    public const string StatsTimeline = "STATS_TIMELINE";

    // The monitor's page.
    public const string MonitorPort = "MONITOR_PORT";
    public const string MonitorHistory = "MONITOR_HISTORY";

    // The Aspire AppHost's own (AppHost/): which server it starts when REDIS_ADDR is unset, how many subscribers, and
    // which scenario (orders: samples/Orders instead of the publisher, subscribers and monitor).
    public const string AppHostServer = "APPHOST_SERVER";
    public const string Subscribers = "SUBSCRIBERS";
    public const string DemoScenario = "DEMO_SCENARIO";
}
