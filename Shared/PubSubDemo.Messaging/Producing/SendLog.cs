using Microsoft.Extensions.Logging;

namespace PubSubDemo.Messaging.Producing;

/// <summary>The destinations' log lines, all under the MessageSender category (event ids 2001-2006, as before the split).</summary>
internal static partial class SendLog
{
    [LoggerMessage(2001, LogLevel.Information, "Published to channel '{Channel}' ({Receivers} subscribers): {Content} (ID: {Id})")]
    public static partial void Published(ILogger logger, string channel, long receivers, string content, string id);

    [LoggerMessage(2002, LogLevel.Information, "Pushed to queue '{Queue}' (length: {Length}): {Content} (ID: {Id})")]
    public static partial void Pushed(ILogger logger, string queue, long length, string content, string id);

    [LoggerMessage(2003, LogLevel.Information, "Added to stream '{Stream}' (entry {EntryId}): {Content} (ID: {Id})")]
    public static partial void Added(ILogger logger, string stream, string entryId, string content, string id);

    [LoggerMessage(2006, LogLevel.Warning, "The server refused a batch script ({Reason}): sending one command per message from now on")]
    public static partial void ScriptsUnavailable(ILogger logger, string reason);
}
