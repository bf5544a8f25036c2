namespace PubSubDemo.Publisher.Sending;

/// <summary>
/// One command for a whole batch. Under load the client's cost per command, not the server's, limits a
/// publisher on a small machine: a PUBLISH or XADD per message costs a task, a reply and a continuation each.
/// These scripts run the same commands on the server, in order, for every payload of the batch.
/// </summary>
internal static class SendScripts
{
    /// <summary>ARGV[1] the channel, ARGV[2..] the payloads. Returns each PUBLISH's receiver count.</summary>
    public const string PublishMany = """
        local receivers = {}
        for i = 2, #ARGV do receivers[i - 1] = redis.call('PUBLISH', ARGV[1], ARGV[i]) end
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
