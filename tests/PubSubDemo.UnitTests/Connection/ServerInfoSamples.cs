namespace PubSubDemo.UnitTests.Connection;

/// <summary>
/// INFO server as each product answers it. Redis 7.0.15 and Valkey 8.0.1 were read from Debian's servers here; Garnet
/// 2.2.12 from the garnet-server dotnet tool; DragonFly's shape from v1.40.1's source (server_family.cc), which prints
/// its own version with a "df-" prefix beside the redis_version it claims, and redis_mode:cluster in emulated mode.
/// </summary>
internal static class ServerInfoSamples
{
    public const string Redis7015 = "# Server\r\nredis_version:7.0.15\r\nredis_git_sha1:00000000\r\nredis_git_dirty:0\r\n" +
        "redis_build_id:ae4d7c971a948f0\r\nredis_mode:standalone\r\nos:Linux 6.1.0-18-amd64 x86_64\r\narch_bits:64\r\n" +
        "monotonic_clock:POSIX clock_gettime\r\nmultiplexing_api:epoll\r\natomicvar_api:c11-builtin\r\ngcc_version:12.2.0\r\n" +
        "process_id:11249\r\nprocess_supervised:no\r\nrun_id:e2decf9b1373636e7f030050c6e9abaca6b2e3a2\r\ntcp_port:6379\r\n" +
        "uptime_in_seconds:12\r\nuptime_in_days:0\r\nhz:10\r\nconfigured_hz:10\r\nexecutable:/usr/bin/redis-server\r\nconfig_file:\r\nio_threads_active:0\r\n";

    public const string Valkey801 = "# Server\r\nredis_version:7.2.4\r\nserver_name:valkey\r\nvalkey_version:8.0.1\r\n" +
        "redis_git_sha1:00000000\r\nredis_git_dirty:0\r\nredis_build_id:39f7c371e0a96e3d\r\nserver_mode:standalone\r\n" +
        "os:Linux 6.1.0-18-amd64 x86_64\r\narch_bits:64\r\nmultiplexing_api:epoll\r\ngcc_version:12.2.0\r\nprocess_id:10343\r\n" +
        "run_id:f77ca0a05ee9e8027762c4f9ddfa4f94e673f54c\r\ntcp_port:6379\r\nuptime_in_seconds:91\r\nexecutable:/usr/bin/valkey-server\r\n" +
        "config_file:\r\nio_threads_active:0\r\navailability_zone:\r\nlistener0:name=tcp,bind=*,bind=-::*,port=6379\r\n";

    public const string DragonFly1401 = "# Server\r\nredis_version:7.4.0\r\ndragonfly_version:df-v1.40.1\r\nredis_mode:cluster\r\n" +
        "arch_bits:64\r\nos:Linux 6.1.0-18-amd64 x86_64\r\nthread_count:2\r\nmultiplexing_api:iouring\r\ntcp_port:6379\r\n" +
        "uptime_in_seconds:5\r\nuptime_in_days:0\r\n";

    public const string Garnet2212 = "# Server\r\ngarnet_version:2.2.12\r\nserver_name:garnet\r\nos:Unix 6.1.0.18\r\n" +
        "processor_count:2\r\narch_bits:64\r\nuptime_in_seconds:3\r\nuptime_in_days:0\r\nmonitor_task:disabled\r\nmonitor_freq:0\r\n" +
        "latency_monitor:disabled\r\ncommandstats_monitor:disabled\r\nrun_id:ebf0e633346bf41ff7e78f606d6144ed3d9f32fa\r\n" +
        "redis_version:7.4.3\r\nredis_mode:standalone\r\n";
}
