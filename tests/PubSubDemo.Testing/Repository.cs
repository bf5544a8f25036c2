namespace PubSubDemo.Testing;

/// <summary>Files of the repository under test (the compose file, the built services), found from the test assembly.</summary>
public static class Repository
{
    private static readonly Lazy<string> FoundRoot = new(FindRoot);

    /// <summary>The directory that holds PubSubDemo.sln.</summary>
    public static string Root => FoundRoot.Value;

    public static string File(string relativePath) => Path.Combine(Root, relativePath);

    private static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !System.IO.File.Exists(Path.Combine(directory.FullName, "PubSubDemo.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Cannot find the repository root (PubSubDemo.sln) above the test assembly");
    }
}
