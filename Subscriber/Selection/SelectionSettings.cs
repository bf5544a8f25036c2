using PubSubDemo.Messaging.Selection;
using PubSubDemo.Shared.Configuration;

namespace PubSubDemo.Subscriber.Selection;

/// <summary><see cref="SelectionOptions"/> read from the environment variables users already know (the one catalogue, <see cref="EnvironmentNames"/>).</summary>
internal sealed class SelectionSettings : SelectionOptions, IServiceSettings
{
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
