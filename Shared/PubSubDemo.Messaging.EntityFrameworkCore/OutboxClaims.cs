using Microsoft.EntityFrameworkCore;

namespace PubSubDemo.Messaging.EntityFrameworkCore;

/// <summary>How one relay takes a batch so that relays beside it neither send it too nor overtake it.</summary>
internal interface IOutboxClaim
{
    /// <summary>
    /// Takes a batch of due, unsent rows in sequence order (none parked, none held back behind a refused row of its key),
    /// hands it to <paramref name="send"/> and records what that returns. The outcome, or null when another relay holds
    /// the outbox now.
    /// </summary>
    Task<BatchOutcome?> RelayBatchAsync(DbContext db, Func<IReadOnlyList<OutboxMessage>, Task<BatchOutcome>> send, CancellationToken cancellationToken);

    /// <summary>Lets another relay take over at once (a stopping relay); nothing to do where nothing is held.</summary>
    Task ReleaseAsync(DbContext db, CancellationToken cancellationToken);
}

/// <summary>
/// PostgreSQL: the batch is taken and marked in one transaction, in two steps. First the relay takes an advisory lock
/// (released at commit) on the partition keys with the oldest unsent rows, skipping keys another relay holds; then,
/// in a statement whose snapshot is younger than those locks, it reads the unsent rows of its keys (and of no key) in
/// sequence order with <c>FOR UPDATE SKIP LOCKED</c>. One statement doing both is not enough: the key lock could be won
/// in the middle of its scan, after an earlier row of that key was passed over, and the later row sent first.
/// </summary>
internal sealed class SkipLockedClaim(OutboxRelayOptions options, TimeProvider time) : IOutboxClaim
{
    // The advisory lock space of the outbox ("ob"), so its key locks cannot meet an app's own advisory locks on hashtext.
    private const int LockSpace = 0x6f62;

    public async Task<BatchOutcome?> RelayBatchAsync(DbContext db, Func<IReadOnlyList<OutboxMessage>, Task<BatchOutcome>> send, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var now = time.GetUtcNow().UtcDateTime;
        // Keys in the order of their oldest due row; the lock sits above that ordering and below the LIMIT, so PostgreSQL
        // tries keys one by one (a volatile function is never pushed down) and stops once it holds a batch's worth. A
        // key held by a stuck relay is passed over, not waited on: it cannot starve the keys behind it. A key whose
        // first row was refused and waits for its next attempt is passed over too: its later rows must not overtake it.
        var keys = await db.Database.SqlQuery<string>($"""
                SELECT pending.partition_key AS "Value"
                FROM (SELECT partition_key, min(id) AS first_id FROM messaging_outbox
                      WHERE sent_at IS NULL AND parked_at IS NULL AND (due_at IS NULL OR due_at <= {now}) AND partition_key IS NOT NULL
                      GROUP BY partition_key
                      HAVING count(*) FILTER (WHERE next_attempt_at > {now}) = 0
                      ORDER BY first_id) pending
                WHERE pg_try_advisory_xact_lock({LockSpace}, hashtext(pending.partition_key))
                LIMIT {options.BatchSize}
                """)
            .ToArrayAsync(cancellationToken);
        // No other relay can send rows of these keys now, and any it sent before is committed and seen here.
        var batch = await db.Set<OutboxMessage>()
            .FromSql($"""
                SELECT * FROM messaging_outbox
                WHERE sent_at IS NULL AND parked_at IS NULL AND (due_at IS NULL OR due_at <= {now})
                  AND (next_attempt_at IS NULL OR next_attempt_at <= {now})
                  AND (partition_key IS NULL OR partition_key = ANY({keys}))
                ORDER BY id
                LIMIT {options.BatchSize}
                FOR UPDATE SKIP LOCKED
                """)
            .AsNoTracking()
            .ToListAsync(cancellationToken);
        var outcome = BatchOutcome.Empty;
        if (batch.Count > 0)
        {
            outcome = await send(batch);
            await outcome.SaveAsync(db, time.GetUtcNow().UtcDateTime, cancellationToken);
        }

        // A crash before this commit leaves the rows unsent and unlocked: the next relay sends them again.
        await transaction.CommitAsync(cancellationToken);
        return outcome;
    }

    public Task ReleaseAsync(DbContext db, CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>
/// Any database (SQLite): the relay that holds the lease row sends, the others wait. No transaction is held while
/// sending, since on SQLite that would hold the only write lock and stall the app's own writes.
/// </summary>
/// <remarks>
/// The lease is renewed only once half of it has passed since the last renewal, not every round: on SQLite every
/// write takes the one write lock and a commit's sync, and a relay woken by each of the app's commits would otherwise
/// write twice per row it sends (the renewal, then the mark), competing with the app's own saves (issue 22's bench).
/// Nobody else can take the lease before it expires, so this is safe while the relays' clocks differ by less than
/// half of <see cref="OutboxRelayOptions.LeaseDuration"/>.
/// </remarks>
internal sealed class LeaseClaim(OutboxRelayOptions options, TimeProvider time) : IOutboxClaim
{
    // Ours for certain until then without writing: half a lease after our last renewal.
    private DateTime _renewAfter = DateTime.MinValue;

    public async Task<BatchOutcome?> RelayBatchAsync(DbContext db, Func<IReadOnlyList<OutboxMessage>, Task<BatchOutcome>> send, CancellationToken cancellationToken)
    {
        if (!await TryTakeLeaseAsync(db, cancellationToken))
        {
            return null;
        }

        var now = time.GetUtcNow().UtcDateTime;
        var outbox = db.Set<OutboxMessage>();
        // Keys whose first row was refused and waits for its next attempt: their later rows wait with it.
        var held = outbox
            .Where(m => m.SentAt == null && m.ParkedAt == null && m.NextAttemptAt > now && m.PartitionKey != null)
            .Select(m => m.PartitionKey);
        var batch = await outbox
            .Where(m => m.SentAt == null && m.ParkedAt == null && (m.DueAt == null || m.DueAt <= now)
                && (m.NextAttemptAt == null || m.NextAttemptAt <= now)
                && (m.PartitionKey == null || !held.Contains(m.PartitionKey)))
            .OrderBy(m => m.Id)
            .Take(options.BatchSize)
            .AsNoTracking()
            .ToListAsync(cancellationToken);
        if (batch.Count == 0)
        {
            return BatchOutcome.Empty;
        }

        var outcome = await send(batch);
        // Marked even if the lease ran out meanwhile: the rows were sent, and a takeover sends them at most once more.
        await outcome.SaveAsync(db, time.GetUtcNow().UtcDateTime, cancellationToken);
        return outcome;
    }

    public async Task ReleaseAsync(DbContext db, CancellationToken cancellationToken)
    {
        _renewAfter = DateTime.MinValue;
        var released = DateTime.UnixEpoch;
        await db.Set<OutboxLease>()
            .Where(l => l.Name == options.RelayName && l.Holder == options.InstanceId)
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.ExpiresAt, released), cancellationToken);
    }

    /// <summary>One atomic UPDATE: taken when free or expired, renewed when already ours.</summary>
    private async Task<bool> TryTakeLeaseAsync(DbContext db, CancellationToken cancellationToken)
    {
        if (time.GetUtcNow().UtcDateTime < _renewAfter)
        {
            return true;
        }

        for (var attempt = 0; attempt < 2; attempt++)
        {
            var now = time.GetUtcNow().UtcDateTime;
            var until = now + options.LeaseDuration;
            var taken = await db.Set<OutboxLease>()
                .Where(l => l.Name == options.RelayName && (l.Holder == options.InstanceId || l.ExpiresAt < now))
                .ExecuteUpdateAsync(s => s.SetProperty(l => l.Holder, options.InstanceId).SetProperty(l => l.ExpiresAt, until), cancellationToken);
            if (taken == 1)
            {
                _renewAfter = now + (options.LeaseDuration / 2);
                return true;
            }

            if (attempt == 0 && !await db.Set<OutboxLease>().AnyAsync(l => l.Name == options.RelayName, cancellationToken))
            {
                await CreateLeaseRowAsync(db, cancellationToken);
                continue;
            }

            return false;
        }

        return false;
    }

    /// <summary>The first relay of an outbox creates its free lease row; when two race, one insert loses and that is fine.</summary>
    private async Task CreateLeaseRowAsync(DbContext db, CancellationToken cancellationToken)
    {
        var row = new OutboxLease { Name = options.RelayName, Holder = "", ExpiresAt = DateTime.UnixEpoch };
        db.Set<OutboxLease>().Add(row);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Another relay created it first (a unique key violation): the UPDATE decides who holds it.
        }
        finally
        {
            db.Entry(row).State = EntityState.Detached;
        }
    }
}
