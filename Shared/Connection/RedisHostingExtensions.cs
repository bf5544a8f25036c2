using PubSubDemo.Messaging.Connection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PubSubDemo.Messaging.Cluster;
using PubSubDemo.Shared.Configuration;
using PubSubDemo.Messaging.Configuration;
using PubSubDemo.Shared.Security;
using PubSubDemo.Messaging.Security;

namespace PubSubDemo.Shared.Connection;

internal static class RedisHostingExtensions
{
    /// <summary>One <see cref="RedisConnection"/> per process, with the settings that name the server and the keys.</summary>
    public static IHostApplicationBuilder AddRedis(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSettings<RedisSettings>();
        builder.Services.AddSettings<MessagingSettings>();
        builder.Services.AddSingleton<RedisConnection>();
        builder.Services.AddServerAccess<ConnectionAccess>();
        builder.Services.AddServerNeeds<ServerNeeds.Shared>();
        builder.Services.AddHostedService<RedisConnectionStarter>();
        builder.Services.AddHostedService<ClusterShapeReporter>();
        return builder;
    }

    /// <summary>Starts connecting as soon as the host starts, so the "Connected to" line comes first.</summary>
    private sealed class RedisConnectionStarter(RedisConnection connection) : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            try
            {
                await connection.GetAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
            }
        }
    }
}
