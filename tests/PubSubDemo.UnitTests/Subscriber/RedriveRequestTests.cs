using PubSubDemo.Subscriber.Redrive;
using PubSubDemo.Messaging.Redrive;

namespace PubSubDemo.UnitTests.Subscriber;

public sealed class RedriveRequestTests
{
    [Theory]
    [InlineData("", true, true, null, false)]
    [InlineData("--queue", true, false, null, false)]
    [InlineData("--stream --dry-run", false, true, null, true)]
    [InlineData("--queue --stream --limit 7", true, true, 7L, false)]
    [InlineData("--limit 1 --queue", true, false, 1L, false)]
    public void Arguments_name_the_sources_the_limit_and_the_dry_run(string arguments, bool queue, bool stream, long? limit, bool dryRun)
    {
        var (request, error) = RedriveRequest.Parse(arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries));

        Assert.Null(error);
        Assert.Equal(new RedriveRequest(queue, stream, limit, dryRun), request);
    }

    [Theory]
    [InlineData("--limit", "--limit ''")]
    [InlineData("--limit 0", "--limit '0'")]
    [InlineData("--limit -3", "--limit '-3'")]
    [InlineData("--limit ten --queue", "--limit 'ten'")]
    [InlineData("--queue --all", "'--all'")]
    [InlineData("queue", "'queue'")]
    public void A_bad_argument_is_refused_with_what_is_allowed(string arguments, string named)
    {
        var (request, error) = RedriveRequest.Parse(arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries));

        Assert.Null(request);
        Assert.StartsWith($"redrive {named} is not valid:", error, StringComparison.Ordinal);
    }
}
