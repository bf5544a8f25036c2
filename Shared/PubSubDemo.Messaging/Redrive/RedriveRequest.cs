namespace PubSubDemo.Messaging.Redrive;

/// <summary>What <c>redrive [--queue|--stream] [--limit N] [--dry-run]</c> asks for; neither source named means both.</summary>
internal sealed record RedriveRequest(bool Queue, bool Stream, long? Limit, bool DryRun)
{
    public const string Usage = "use redrive [--queue|--stream] [--limit N] [--dry-run]";

    /// <summary>The request, or the one line that says what is wrong with the arguments.</summary>
    public static (RedriveRequest? Request, string? Error) Parse(IReadOnlyList<string> arguments)
    {
        bool queue = false, stream = false, dryRun = false;
        long? limit = null;
        for (var i = 0; i < arguments.Count; i++)
        {
            switch (arguments[i])
            {
                case "--queue":
                    queue = true;
                    break;
                case "--stream":
                    stream = true;
                    break;
                case "--dry-run":
                    dryRun = true;
                    break;
                case "--limit" when i + 1 < arguments.Count && long.TryParse(arguments[i + 1], out var n) && n > 0:
                    limit = n;
                    i++;
                    break;
                case "--limit":
                    return (null, $"redrive --limit '{(i + 1 < arguments.Count ? arguments[i + 1] : "")}' is not valid: give a whole number above 0, e.g. --limit 100");
                default:
                    return (null, $"redrive '{arguments[i]}' is not valid: {Usage}");
            }
        }

        return (queue || stream ? new(queue, stream, limit, dryRun) : new(true, true, limit, dryRun), null);
    }
}
