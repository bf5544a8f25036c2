using PubSubDemo.Messaging.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace PubSubDemo.Shared.Configuration;

/// <summary>
/// Settings through the options pipeline: each class is read once (<see cref="LoadedSettings{T}"/>), served as
/// <c>IOptions&lt;T&gt;</c> and as <typeparamref name="T"/> itself, and validated when the host starts
/// (<c>ValidateOnStart</c>), so a typo stops the service before it touches the server.
/// </summary>
internal static class SettingsServiceCollectionExtensions
{
    /// <summary>
    /// Reads <typeparamref name="T"/> now, from the builder's configuration, and returns it for decisions that shape
    /// the registrations (which consumers, which endpoints). The same instance is injected later; a bad value in it
    /// still stops the host at start, with every other bad value.
    /// </summary>
    public static T AddSettings<T>(this IHostApplicationBuilder builder)
        where T : class, IServiceSettings, new()
    {
        var services = builder.Services;
        if (services.LastOrDefault(d => d.ServiceType == typeof(LoadedSettings<T>))?.ImplementationInstance is LoadedSettings<T> known)
        {
            return known.Value;
        }

        var loaded = LoadedSettings.Read<T>(builder.Configuration);
        services.Replace(ServiceDescriptor.Singleton(loaded));
        AddPipeline<T>(services);
        return loaded.Value;
    }

    /// <summary>Registers <typeparamref name="T"/> to be read once, from the host's configuration, when first needed.</summary>
    public static IServiceCollection AddSettings<T>(this IServiceCollection services)
        where T : class, IServiceSettings, new()
    {
        services.TryAddSingleton(sp => LoadedSettings.Read<T>(sp.GetRequiredService<IConfiguration>()));
        AddPipeline<T>(services);
        return services;
    }

    private static void AddPipeline<T>(IServiceCollection services)
        where T : class, IServiceSettings, new()
    {
        if (services.Any(d => d.ServiceType == typeof(IOptionsFactory<T>)))
        {
            return;
        }

        services.AddOptions<T>().ValidateOnStart();
        services.AddSingleton<IOptionsFactory<T>, LoadedOptionsFactory<T>>();
        services.AddSingleton<IValidateOptions<T>, ReaderValidator<T>>();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<T>>().Value);
        // The environment's settings derive from the library's options (MessagingSettings : MessagingOptions, …): the
        // engine asks for its options, and gets the instance read from the environment.
        if (typeof(T).BaseType is { } options && options != typeof(object))
        {
            services.AddSingleton(options, sp => sp.GetRequiredService<T>());
        }
        services.AddSingleton<ISettingsErrors>(sp => sp.GetRequiredService<LoadedSettings<T>>());
    }

    /// <summary>Hands out the instance read once, after every validator registered for it has passed.</summary>
    private sealed class LoadedOptionsFactory<T>(LoadedSettings<T> loaded, IEnumerable<IValidateOptions<T>> validators) : IOptionsFactory<T>
        where T : class, IServiceSettings, new()
    {
        public T Create(string name)
        {
            var failures = validators
                .Select(v => v.Validate(name, loaded.Value))
                .Where(r => r.Failed)
                .SelectMany(r => r.Failures ?? [r.FailureMessage ?? $"{typeof(T).Name} is not valid"])
                .ToList();
            return failures.Count == 0 ? loaded.Value : throw new OptionsValidationException(name, typeof(T), failures);
        }
    }

    /// <summary>The values the reader could not accept, one line each: variable, value and what is allowed.</summary>
    private sealed class ReaderValidator<T>(LoadedSettings<T> loaded) : IValidateOptions<T>
        where T : class, IServiceSettings, new()
    {
        public ValidateOptionsResult Validate(string? name, T options) =>
            loaded.Errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(loaded.Errors);
    }
}
