namespace PubSubDemo.Shared.Hosting;

/// <summary>A command-line verb (<c>dotnet PubSubDemo.Publisher.dll acl</c>) that runs instead of the workers.</summary>
public interface IServiceVerb
{
    string Name { get; }

    Task<int> RunAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken);
}
