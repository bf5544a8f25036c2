using PubSubDemo.Messaging.Cluster;
using Microsoft.Extensions.Logging;
using PubSubDemo.Messaging.Configuration;
using PubSubDemo.Messaging.Contract;
using PubSubDemo.Messaging.Processing;
using PubSubDemo.Messaging.Retries;
using StackExchange.Redis;

namespace PubSubDemo.Messaging.Consumers;

/// <summary>
/// Redis Streams with a consumer group on every partition, at least once: XREADGROUP in batches, XACK once handled,
/// XAUTOCLAIM of entries left pending by dead consumers, dead-lettering by delivery count; a failed entry stays pending
/// and waits in the group's due set for its backoff (<see cref="StreamRetries"/>), as does one not due yet. Like the queue,
/// it waits on a doorbell rather than XREADGROUP BLOCK, which would stall the shared multiplexer.
/// </summary>
internal sealed partial class StreamConsumer(ConsumerServices services, ILogger<StreamConsumer> logger) : DoorbellConsumer(
    services,
    new DoorbellLog(
        SubscribeRetry: (reason, pause) => LogServerError(logger, reason, DurationParser.Format(pause)),
        ServerError: (reason, pause) => LogServerError(logger, reason, DurationParser.Format(pause))))
{
    private readonly RedisKey[] _streams = [.. services.Messaging.StreamPartitions.Select(s => (RedisKey)s)];
    private readonly RedisKey[] _dead = [.. services.Messaging.StreamPartitions.Select(s => (RedisKey)KeyNames.DeadLetters(s))];
    private readonly StreamRetries _retries = new(services);
    private readonly long[] _nextClaim = [.. services.Messaging.StreamPartitions.Select(_ => services.Time.GetTimestamp())];
    private readonly StreamGroups _groups = new(services, logger);
    private bool _started;

    private MessageProcessor Processor => Services.Processor;

    protected override string LoopName => nameof(StreamConsumer);

    protected override IReadOnlyList<string> Partitions => Services.Messaging.StreamPartitions;

    /// <summary>Never longer than half of CLAIM_IDLE, so abandoned entries are claimed on time.</summary>
    protected override TimeSpan IdleWait => Services.Settings.IdlePoll < Services.Settings.ClaimIdle / 2 ? Services.Settings.IdlePoll : Services.Settings.ClaimIdle / 2;

    /// <summary>
    /// A look at the due set is a round trip of its own here (XREADGROUP is no script), so a busy consumer with nothing
    /// scheduled looks as often as it claims abandoned entries; an idle one every idle wait.
    /// </summary>
    protected override TimeSpan DueRecheck => Services.Settings.ClaimIdle / 2;

    /// <summary>Creates the partition's group when needed, then finishes the entries delivered to us and never acknowledged.</summary>
    protected override async Task RecoverAsync(IDatabase database, int partition, CancellationToken stoppingToken)
    {
        if (!_groups.Ready(partition))
        {
            await _groups.EnsureAsync(database, partition);
            if (!_started && partition == _streams.Length - 1)
            {
                _started = true;
                LogStarted(Services.Messaging.Stream, Services.Messaging.Group, Services.Consumer, Services.Settings.StreamStart, _streams.Length);

                // Ready once every partition's group exists: with a group starting at $, an entry added before would be missed.
                Services.Readiness.Consuming(MessagingReadiness.Stream(Services.Messaging.Stream));
            }
        }

        // Paged by id: what waits in the due set stays pending with us and is not handled before it is due.
        StreamEntry[] pending;
        RedisValue after = "0";
        do
        {
            pending = await database.StreamReadGroupAsync(_streams[partition], Services.Messaging.Group, Services.Consumer, after, Services.Settings.BatchSize);
            if (pending.Length > 0)
            {
                after = pending[^1].Id;
                await HandleAsync(database, partition, await _retries.NotWaitingAsync(database, partition, pending), stoppingToken);
            }
        }
        while (pending.Length == Services.Settings.BatchSize && !stoppingToken.IsCancellationRequested);
    }

    protected override async Task<bool> TakeAsync(IDatabase database, int partition, CancellationToken stoppingToken)
    {
        if (Services.Time.GetElapsedTime(_nextClaim[partition]) >= TimeSpan.Zero)
        {
            await ClaimAbandonedAsync(database, partition, stoppingToken);
            _nextClaim[partition] = Services.Time.GetTimestamp() + (long)(Services.Settings.ClaimIdle.TotalSeconds / 2 * Services.Time.TimestampFrequency);
        }

        // What is still due after this claim is the due schedule's to find (it makes the next round look again).
        if (Due.ShouldLook(partition, Due.Now))
        {
            var (due, deliveries) = await _retries.ClaimDueAsync(database, partition, Due);
            if (due.Length > 0)
            {
                await HandleAsync(database, partition, due, stoppingToken, deliveries);
            }
        }

        var wanted = await Services.Rate.TakeAsync(Services.Settings.BatchSize, stoppingToken);
        var entries = await database.StreamReadGroupAsync(_streams[partition], Services.Messaging.Group, Services.Consumer, ">", wanted);
        if (entries.Length == 0)
        {
            return false;
        }

        await HandleAsync(database, partition, entries, stoppingToken);

        // Fewer than asked for: the stream had no more, so only a doorbell (or IDLE_POLL) needs another read.
        return entries.Length >= wanted;
    }

    /// <summary>
    /// The server lost the group (restarted without persistence, or someone deleted it), found by a read, a claim or
    /// the due claim's check: said, and recreated where the lost one left off (<see cref="StreamGroups"/>).
    /// </summary>
    protected override bool Repairable(RedisServerException ex)
    {
        if (!ex.Message.StartsWith("NOGROUP", StringComparison.Ordinal))
        {
            return false;
        }

        _groups.Missing();
        return true;
    }

    protected override Task FinishAsync(IDatabase database, ISubscriber subscriber)
    {
        LogStopped(Services.Consumer);
        return Task.CompletedTask;
    }

    /// <summary>Handles entries in order and acknowledges the handled and the dead-lettered; failures stay pending for a retry by claim.</summary>
    private async Task HandleAsync(IDatabase database, int partition, StreamEntry[] entries, CancellationToken stoppingToken, Dictionary<string, int>? deliveries = null)
    {
        _groups.Handling(partition, entries);
        var acks = new List<RedisValue>(entries.Length);
        var transaction = database.CreateTransaction();
        var deadLettered = 0;
        var later = new StreamRetries.Later();
        var batch = await Services.Dedupe.BeginAsync(database, _streams[partition].ToString(), [.. entries.Select(e => Read(e, partition, StreamRetries.Attempts(deliveries, e.Id)))]);
        var committing = new List<(int Index, RedisValue Ack, ProcessResult Result)>();
        for (var index = 0; index < entries.Length; index++)
        {
            var entry = entries[index];
            if (stoppingToken.IsCancellationRequested && acks.Count + committing.Count > 0)
            {
                break;
            }

            if (entry.IsNull || entry.Values is not { Length: > 0 })
            {
                // Trimmed or deleted while pending (the server answers its id with no fields; XADD cannot make an
                // entry without one): nothing left to handle. Counted and logged as lost, then
                // acknowledged so the group stops handing it out.
                Services.Processor.Lost(MessageSource.Stream, entry.Id.ToString());
                acks.Add(entry.Id);
                continue;
            }

            var payload = entry[KeyNames.StreamField];
            if (deliveries is not null && deliveries.TryGetValue(entry.Id.ToString(), out var delivered) && delivered > Services.Settings.MaxAttempts)
            {
                _ = transaction.ListRightPushAsync(_dead[partition], DeadLetters.Envelope(Services.Consumer, Services.Time, payload, $"not handled after {delivered - 1} deliveries", delivered - 1));
                acks.Add(entry.Id);
                deadLettered++;
                LogDeadLettered(entry.Id.ToString(), delivered - 1);
                continue;
            }

            var result = payload.IsNull
                ? Services.Processor.Reject(MessageSource.Stream, $"entry has no '{KeyNames.StreamField}' field")
                : await batch.ProcessAsync(Services.Processor, index);
            switch (result.Disposition)
            {
                case Disposition.Handled or Disposition.Duplicate when batch.Active:
                    // Acknowledged by the script that commits the effects and the marker; one that fails stays pending.
                    committing.Add((index, entry.Id, result));
                    break;
                case Disposition.Handled or Disposition.Filtered:
                    acks.Add(entry.Id);
                    break;
                case Disposition.Malformed:
                    _ = transaction.ListRightPushAsync(_dead[partition], DeadLetters.Envelope(Services.Consumer, Services.Time, payload, result.Reason!, 1));
                    acks.Add(entry.Id);
                    deadLettered++;
                    break;
                case Disposition.Failed when StreamRetries.Attempts(deliveries, entry.Id) is var attempts && attempts >= Services.Settings.MaxAttempts:
                    _ = transaction.ListRightPushAsync(_dead[partition], DeadLetters.Envelope(Services.Consumer, Services.Time, payload, $"{result.Reason} (not handled after {attempts} deliveries)", attempts));
                    acks.Add(entry.Id);
                    deadLettered++;
                    LogDeadLettered(entry.Id.ToString(), attempts);
                    break;
                case Disposition.Failed:
                    // Stays pending, its id in the due set until its backoff has passed: then a consumer claims it again.
                    _retries.Retry(transaction, partition, entry.Id, StreamRetries.Attempts(deliveries, entry.Id), Due, later);
                    break;
                case Disposition.Deferred:
                    _retries.Defer(transaction, partition, entry.Id, result.DueAt!.Value, Due, later);
                    break;
            }
        }

        if (committing.Count > 0)
        {
            await batch.CommitAsync(database, Services.Processor, _streams[partition], "stream", Services.Messaging.Group, committing);
        }

        if (acks.Count > 0)
        {
            _ = transaction.StreamAcknowledgeAsync(_streams[partition], Services.Messaging.Group, acks.ToArray());
        }

        if (acks.Count > 0 || later.Any)
        {
            await transaction.ExecuteAsync();
        }

        _groups.Settled(partition);
        Processor.Outcomes.Stream.Report(MessageOutcome.DeadLettered, deadLettered);
        Processor.Outcomes.Stream.Report(MessageOutcome.Retried, later.Retried);
        Processor.Outcomes.Stream.Report(MessageOutcome.Deferred, later.Delayed);
    }

    /// <summary>An entry read once, for DEDUPE and the handler alike; one deleted while pending, or without our field, has nothing to read.</summary>
    private Delivery Read(StreamEntry entry, int partition, int attempt) =>
        entry.IsNull || entry.Values is not { Length: > 0 } || entry[KeyNames.StreamField] is { IsNull: true }
            ? Delivery.Empty(MessageSource.Stream)
            : Delivery.Of(MessageSource.Stream, (ReadOnlyMemory<byte>)entry[KeyNames.StreamField], Services.Messaging, attempt, partition);

    [LoggerMessage(3301, LogLevel.Information, "Consuming stream '{Stream}' in group '{Group}' as {Consumer} (a new group starts at {Start}; {Partitions} partitions)")]
    private partial void LogStarted(string stream, string group, string consumer, string start, int partitions);

    [LoggerMessage(3305, LogLevel.Warning, "Stream entry {Id} was not handled after {Attempts} deliveries: moved to the dead-letter list")]
    private partial void LogDeadLettered(string id, int attempts);

    [LoggerMessage(3306, LogLevel.Warning, "Stream unavailable: {Reason}; retrying in {Backoff}")]
    private static partial void LogServerError(ILogger logger, string reason, string backoff);

    [LoggerMessage(3307, LogLevel.Information, "Stopped consuming the stream as {Consumer}")]
    private partial void LogStopped(string consumer);
}
