using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace PubSubDemo.Messaging.EntityFrameworkCore;

/// <summary>Registers the outbox, its relay and the inbox of an app's DbContext.</summary>
public static class MessagingServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IOutbox"/> and <see cref="IOutboxAdmin"/> (scoped, over <typeparamref name="TContext"/>), the <see cref="IOutboxSignal"/>
    /// and the <see cref="OutboxRelay{TContext}"/> hosted service, with options validated at start. The app registers
    /// the <see cref="IOutboxTransport"/>, <c>AddMetrics()</c> (a host builder does) and, for low latency, adds
    /// <see cref="OutboxDbContextOptionsExtensions.AddOutboxSignal"/> to its DbContext options.
    /// </summary>
    public static IServiceCollection AddMessagingOutbox<TContext>(this IServiceCollection services, Action<OutboxRelayOptions>? configure = null)
        where TContext : DbContext
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IOutboxSignal, OutboxSignal>();
        services.TryAddScoped<IOutbox, Outbox<TContext>>();
        services.TryAddScoped<IOutboxAdmin, OutboxAdmin<TContext>>();
        services.AddOptions<OutboxRelayOptions>(OutboxRelayOptions.NameFor(typeof(TContext)))
            .Configure(options => configure?.Invoke(options))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OutboxRelayOptions>, OutboxRelayOptionsValidator>());
        services.AddHostedService<OutboxRelay<TContext>>();
        return services;
    }

    /// <summary>
    /// Registers <see cref="IInbox"/> (scoped, over <typeparamref name="TContext"/>) and the hosted cleanup of its markers
    /// (<see cref="InboxOptions"/>, validated at start). Called again, it only adds <paramref name="configure"/>.
    /// </summary>
    public static IServiceCollection AddMessagingInbox<TContext>(this IServiceCollection services, Action<InboxOptions>? configure = null)
        where TContext : DbContext
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddScoped<IInbox, Inbox<TContext>>();
        services.AddOptions<InboxOptions>(OutboxRelayOptions.NameFor(typeof(TContext)))
            .Configure(options => configure?.Invoke(options))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<InboxOptions>, InboxOptionsValidator>());
        services.AddHostedService<InboxCleanup<TContext>>();
        return services;
    }

    private sealed class InboxOptionsValidator : IValidateOptions<InboxOptions>
    {
        public ValidateOptionsResult Validate(string? name, InboxOptions options)
        {
            List<string> problems = [];
            foreach (var (setting, value) in new[] { (nameof(options.Retention), options.Retention), (nameof(options.CleanupInterval), options.CleanupInterval) })
            {
                if (value <= TimeSpan.Zero)
                {
                    problems.Add($"Inbox options '{name}': {setting} must be positive, not {value}");
                }
            }

            return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
        }
    }

    /// <summary>One failure line per bad setting, so a wrong setting names itself at start.</summary>
    private sealed class OutboxRelayOptionsValidator : IValidateOptions<OutboxRelayOptions>
    {
        public ValidateOptionsResult Validate(string? name, OutboxRelayOptions options)
        {
            var problems = options.Problems().Select(problem => $"Outbox relay options '{name}': {problem}").ToList();
            return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
        }
    }
}
