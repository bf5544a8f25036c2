using System.Reflection;
using System.Text.RegularExpressions;
using PubSubDemo.Shared.Configuration;
using PubSubDemo.Messaging.Configuration;

namespace PubSubDemo.UnitTests.Configuration;

/// <summary>EnvironmentNames is the one catalogue: every variable the documentation's tables offer is in it.</summary>
public sealed partial class EnvironmentNamesTests
{
    private static readonly HashSet<string> Catalogue = [.. typeof(EnvironmentNames).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral && f.FieldType == typeof(string))
        .Select(f => (string)f.GetRawConstantValue()!)];

    [Theory]
    [InlineData("README.md")]
    [InlineData("docs/monitoring.md")]
    public void Every_variable_in_a_settings_table_is_in_the_catalogue(string document)
    {
        var text = File.ReadAllText(Path.Combine(RepositoryRoot(), document));
        var documented = TableVariable().Matches(text).Select(m => m.Groups[1].Value).Distinct().ToList();

        Assert.NotEmpty(documented);
        Assert.All(documented, name => Assert.Contains(name, Catalogue));
    }

    [Fact]
    public void The_catalogue_holds_each_name_once()
    {
        var names = typeof(EnvironmentNames).GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (string)f.GetRawConstantValue()!).ToList();

        Assert.Equal(names.Count, Catalogue.Count);
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "PubSubDemo.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("no PubSubDemo.sln above the test assembly");
    }

    /// <summary>A table row whose first cell is a variable name in backticks: <c>| `REDIS_ADDR` | ...</c>.</summary>
    [GeneratedRegex(@"^\| `([A-Z][A-Z0-9_]+)`", RegexOptions.Multiline)]
    private static partial Regex TableVariable();
}
