namespace PubSubDemo.IntegrationTests;

/// <summary>The override that runs DragonFly in emulated cluster mode with hash-tag locking, validated offline.</summary>
public sealed partial class ComposeFileTests
{
    private static readonly string DragonFlyClusterFile = Repository.File("docker-compose.dragonfly-cluster.yml");

    [Fact]
    public async Task The_DragonFly_cluster_override_is_valid_and_turns_on_emulated_cluster_mode_with_hash_tag_locks_announcing_the_service_name()
    {
        var command = await FindComposeAsync() ?? throw new Xunit.Sdk.XunitException(
            "docker-compose is not installed, so the compose files cannot be validated: install it (apt-get install docker-compose); scripts/test.sh installs it.");
        output.WriteLine($"Server: none (validated offline); {string.Join(' ', command)} -f docker-compose.yml -f docker-compose.dragonfly-cluster.yml config");
        string[] files = ["-f", ComposeFile, "-f", DragonFlyClusterFile];

        var (quietExit, quietText) = await RunAsync(command, [.. files, "config", "-q"]);
        Assert.True(quietExit == 0, $"config -q of the override exited with {quietExit}:\n{quietText}");

        // The merged file: the server gets both flags, and keeps everything docker-compose.yml gives it.
        var (exitCode, merged) = await RunAsync(command, [.. files, "config"]);
        Assert.Equal(0, exitCode);
        var dragonfly = Services(merged.Split('\n'))["dragonfly"];
        Assert.Contains(dragonfly, l => l.Trim() is "DFLY_cluster_mode: emulated");
        Assert.Contains(dragonfly, l => l.Trim() is "DFLY_lock_on_hashtags: 'true'" or "DFLY_lock_on_hashtags: \"true\"" or "DFLY_lock_on_hashtags: true");
        Assert.Contains(dragonfly, l => l.Trim() == $"image: {RedisServerFixture.DragonFlyImage}");

        // The cluster map names the server by the address the services were given (REDIS_ADDR=dragonfly:6379), not the
        // container's own IP, which changes on every recreation.
        Assert.Contains(dragonfly, l => l.Trim() is "DFLY_cluster_announce_ip: dragonfly");
        var redisAddresses = Services(merged.Split('\n')).Where(s => s.Key is "publisher" or "subscriber")
            .SelectMany(s => s.Value).Where(l => l.Trim().StartsWith("REDIS_ADDR:", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(redisAddresses);
        Assert.All(redisAddresses, l => Assert.StartsWith("REDIS_ADDR: dragonfly:", l.Trim(), StringComparison.Ordinal));
        Assert.Contains(dragonfly, l => l.TrimStart().StartsWith("healthcheck:", StringComparison.Ordinal));
    }
}
