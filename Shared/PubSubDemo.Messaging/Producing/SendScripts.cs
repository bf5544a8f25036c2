namespace PubSubDemo.Messaging.Producing;

/// <summary>
/// One command for a whole batch. Under load the client's cost per command, not the server's, limits a
/// publisher on a small machine: a PUBLISH or XADD per message costs a task, a reply and a continuation each.
/// These scripts run the same commands on the server, in order, for every payload of the batch.
/// </summary>
internal static class SendScripts
{
    /// <summary>
    /// KEYS[1] the channel; ARGV[1] PUBLISH or SPUBLISH (PUBSUB_MODE), ARGV[2..] the payloads. Returns each receiver count.
    /// The channel is named in KEYS so that a cluster routes the script to the primary that owns the channel's slot
    /// (nothing changes on a single server): SPUBLISH from a script runs only there ("Script attempted to access a non
    /// local key" elsewhere), and batches of classic PUBLISH that entered the cluster at different nodes would reach
    /// subscribers out of order. On DragonFly a PUBLISH here may wait for a slow subscriber's output buffer on the
    /// script's thread, which has no script time limit: docs/scaling.md ("PUBLISH inside a script can stall a thread").
    /// </summary>
    public const string PublishMany = """
        local receivers = {}
        for i = 2, #ARGV do receivers[i - 1] = redis.call(ARGV[1], KEYS[1], ARGV[i]) end
        return receivers
        """;

    /// <summary>
    /// KEYS[1] the stream; ARGV[1] the field name, ARGV[2..] the payloads. Returns each new entry's id. STREAM_MAXLEN is
    /// applied by <see cref="StreamRetention"/>, which keeps what a consumer group has not read.
    /// </summary>
    public const string AddMany = """
        local ids = {}
        for i = 2, #ARGV do ids[i - 1] = redis.call('XADD', KEYS[1], '*', ARGV[1], ARGV[i]) end
        return ids
        """;
}
