using PubSubDemo.Shared.Configuration;

namespace PubSubDemo.Subscriber.Selection;

/// <summary>Which messages the handler sees (FILTER) and how fast it is handed them (HANDLE_RATE).</summary>
public sealed class SelectionSettings : IServiceSettings
{
    /// <summary>The most HANDLE_RATE accepts: beyond it a limit is no limit on this machine.</summary>
    public const double MaxRate = 1_000_000;

    /// <summary>FILTER parsed, or null when every message goes to the handler.</summary>
    public MessageFilter? Filter { get; set; }

    /// <summary>HANDLE_RATE: messages per second this subscriber takes, over every source together; null is no limit.</summary>
    public double? HandleRate { get; set; }

    public void Load(SettingsReader reader)
    {
        if (reader.Raw(EnvironmentNames.Filter) is { } filter)
        {
            var (parsed, error) = MessageFilter.Parse(filter);
            Filter = parsed;
            if (error is not null)
            {
                reader.Error(EnvironmentNames.Filter, filter, error);
            }
        }

        HandleRate = reader.Real(EnvironmentNames.HandleRate, 0, MaxRate) is > 0 and var rate ? rate : null;
    }
}
