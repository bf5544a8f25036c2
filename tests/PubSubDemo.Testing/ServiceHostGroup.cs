using Xunit.Abstractions;

namespace PubSubDemo.Testing;

/// <summary>
/// The hosts one test started: stopped together when the test ends, pass or fail, newest first (publishers
/// are usually started last, so subscribers see their final messages), and each host's log written to the
/// test output so that a failure can be read.
/// </summary>
internal sealed class ServiceHostGroup(ITestOutputHelper? output = null) : IAsyncDisposable
{
    private readonly List<(string Name, ServiceHost Host)> _hosts = [];

    public IReadOnlyList<ServiceHost> Hosts => _hosts.ConvertAll(h => h.Host);

    public ServiceHost Add(string name, ServiceHost host)
    {
        _hosts.Add((name, host));
        return host;
    }

    public async ValueTask DisposeAsync()
    {
        var failures = new List<Exception>();
        for (var i = _hosts.Count - 1; i >= 0; i--)
        {
            try
            {
                await _hosts[i].Host.DisposeAsync();
            }
            catch (Exception ex)
            {
                failures.Add(ex);
            }
        }

        if (output is not null)
        {
            foreach (var (name, host) in _hosts)
            {
                output.WriteLine($"--- log of {name}");
                foreach (var line in host.Log.Lines)
                {
                    output.WriteLine(line);
                }
            }
        }

        _hosts.Clear();
        if (failures.Count > 0)
        {
            throw new AggregateException("Stopping the hosts failed", failures);
        }
    }
}
