namespace PubSubDemo.Shared.Configuration;

/// <summary>Every environment variable either service reads, in one place so the README table can be checked against it.</summary>
public static class EnvironmentNames
{
    public const string RedisAddr = "REDIS_ADDR";
    public const string RedisHost = "REDIS_HOST";
    public const string RedisPort = "REDIS_PORT";
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

    public const string PublishInterval = "PUBLISH_INTERVAL";
    public const string PublishRate = "PUBLISH_RATE";
    public const string MessageCount = "MESSAGE_COUNT";
    public const string MessageSize = "MESSAGE_SIZE";
    public const string Duration = "DURATION";
    public const string PublishBuffer = "PUBLISH_BUFFER";

    public const string ConsumerName = "CONSUMER_NAME";
    public const string BatchSize = "BATCH_SIZE";
    public const string ChannelBuffer = "CHANNEL_BUFFER";
    public const string HeartbeatTtl = "HEARTBEAT_TTL";
    public const string MaxAttempts = "MAX_ATTEMPTS";
    public const string ClaimIdle = "CLAIM_IDLE";
    public const string IdlePoll = "IDLE_POLL";
    public const string HandlerDelay = "HANDLER_DELAY";
    public const string FailOn = "FAIL_ON";
}
