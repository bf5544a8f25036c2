using PubSubDemo.Messaging.Observability;
namespace PubSubDemo.Shared.Observability;

/// <summary>What a role (publisher or subscriber) tells the monitor, and how long its loops may stay quiet.</summary>
internal interface IMonitorReportSource
{
    /// <summary>The report for the interval that just ended; rates are counted over <paramref name="elapsed"/>.</summary>
    MonitorReport Build(TimeSpan elapsed, string status);

    /// <summary>
    /// How long <paramref name="loop"/> may go without a beat before /health/live fails: <paramref name="stallTimeout"/>
    /// plus whatever its own pace needs, or null for a loop that waits for input as long as none comes.
    /// </summary>
    TimeSpan? MaxSilence(string loop, TimeSpan stallTimeout);
}
