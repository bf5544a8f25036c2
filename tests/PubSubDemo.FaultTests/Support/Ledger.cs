using System.Text;

namespace PubSubDemo.FaultTests.Support;

/// <summary>
/// Accounts for every message a test sent: handled (by id, counting repeats), dead-lettered, or still on the
/// server (queue, processing lists, stream pending). A message in none of these is lost.
/// </summary>
internal sealed class Ledger(IEnumerable<string> expected)
{
    private readonly HashSet<string> _expected = expected.ToHashSet();
    private readonly Dictionary<string, int> _handled = [];
    private readonly HashSet<string> _deadLettered = [];
    private readonly Dictionary<string, string> _onServer = [];

    public int Expected => _expected.Count;

    public int HandledDistinct => _handled.Count(h => _expected.Contains(h.Key));

    public int Duplicates => _handled.Where(h => _expected.Contains(h.Key)).Sum(h => h.Value - 1);

    public int DeadLettered => _deadLettered.Count;

    public int OnServer => _onServer.Count;

    public IReadOnlyCollection<string> HandledIds => _handled.Keys;

    public Ledger Handled(IEnumerable<string> ids)
    {
        foreach (var id in ids)
        {
            _handled[id] = _handled.GetValueOrDefault(id) + 1;
        }

        return this;
    }

    public Ledger DeadLetteredIds(IEnumerable<string> ids)
    {
        _deadLettered.UnionWith(ids);
        return this;
    }

    public Ledger StillOnServer(string where, IEnumerable<string> ids)
    {
        foreach (var id in ids)
        {
            _onServer.TryAdd(id, where);
        }

        return this;
    }

    public IReadOnlyList<string> Missing() =>
        _expected.Where(id => !_handled.ContainsKey(id) && !_deadLettered.Contains(id) && !_onServer.ContainsKey(id)).Order().ToList();

    public string Describe() =>
        $"{Expected} sent: {HandledDistinct} handled ({Duplicates} repeats), {DeadLettered} dead-lettered, {OnServer} still on the server, {Missing().Count} missing";

    /// <summary>Fails when a message is lost, when something unknown was handled, and (unless allowed) when one was handled twice.</summary>
    public void AssertNothingLost(bool duplicatesAllowed)
    {
        var problems = new StringBuilder();
        var missing = Missing();
        if (missing.Count > 0)
        {
            problems.AppendLine($"{missing.Count} messages lost (neither handled, dead-lettered nor on the server): {Sample(missing)}");
        }

        var unknown = _handled.Keys.Where(id => !_expected.Contains(id)).Order().ToList();
        if (unknown.Count > 0)
        {
            problems.AppendLine($"{unknown.Count} handled ids were never sent: {Sample(unknown)}");
        }

        var deadAndHandled = _deadLettered.Where(_handled.ContainsKey).Order().ToList();
        if (deadAndHandled.Count > 0)
        {
            problems.AppendLine($"{deadAndHandled.Count} messages were both handled and dead-lettered: {Sample(deadAndHandled)}");
        }

        if (!duplicatesAllowed)
        {
            var repeated = _handled.Where(h => h.Value > 1).Select(h => $"{h.Key} x{h.Value}").Order().ToList();
            if (repeated.Count > 0)
            {
                problems.AppendLine($"{repeated.Count} messages handled more than once where exactly once was expected: {Sample(repeated)}");
            }
        }

        Assert.True(problems.Length == 0, $"{Describe()}\n{problems}");
    }

    private static string Sample(IReadOnlyList<string> ids) =>
        string.Join(", ", ids.Take(15)) + (ids.Count > 15 ? $", … ({ids.Count - 15} more)" : "");
}
