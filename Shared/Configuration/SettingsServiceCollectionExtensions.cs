using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace PubSubDemo.Shared.Configuration;

public static class SettingsServiceCollectionExtensions
{
    /// <summary>
    /// Binds <typeparamref name="T"/> from configuration (environment variables first) and validates it when the
    /// host starts, so a typo stops the service before it touches the server.
    /// </summary>
    public static IServiceCollection AddSettings<T>(this IServiceCollection services)
        where T : class, IServiceSettings, new()
    {
        services.AddOptions<T>()
            .Configure<IConfiguration>((settings, configuration) =>
            {
                var reader = new SettingsReader(configuration);
                settings.Load(reader);
                settings.Errors = reader.Errors;
            })
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<T>, SettingsValidator<T>>();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<T>>().Value);
        return services;
    }

    private sealed class SettingsValidator<T> : IValidateOptions<T>
        where T : class, IServiceSettings
    {
        public ValidateOptionsResult Validate(string? name, T options) =>
            options.Errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(options.Errors);
    }
}
