namespace PubSubDemo.Shared.Hosting;

/// <summary>
/// A command the service binary runs instead of the service, named by the first command-line argument
/// (<c>--healthcheck all</c> runs the verb "healthcheck" with <c>["all"]</c>); its result is the exit code.
/// </summary>
internal interface IServiceVerb
{
    string Name { get; }

    Task<int> RunAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken);
}
