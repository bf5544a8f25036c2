using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace PubSubDemo.Messaging.EntityFrameworkCore;

/// <summary>
/// Wakes the relay of this process when outbox rows were committed, so a message waits milliseconds, not a poll
/// interval. Relays of other processes still find the rows by polling.
/// </summary>
public interface IOutboxSignal
{
    /// <summary>Says that rows were committed; several notifications before the relay looks count as one.</summary>
    void Notify();

    /// <summary>Waits for a notification or <paramref name="timeout"/>, whichever comes first.</summary>
    Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken);
}

/// <summary>An auto-reset signal: one waiter (the relay's loop), any number of notifiers.</summary>
public sealed class OutboxSignal : IOutboxSignal, IDisposable
{
    // A semaphore of at most one count is an auto-reset event with an async wait.
    private readonly SemaphoreSlim _set = new(0, 1);

    /// <inheritdoc />
    public void Notify()
    {
        try
        {
            _set.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already set: the relay will look once for all of them.
        }
    }

    /// <inheritdoc />
    public Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _set.WaitAsync(timeout, cancellationToken);

    /// <inheritdoc />
    public void Dispose() => _set.Dispose();
}

/// <summary>
/// Notifies the <see cref="IOutboxSignal"/> once outbox rows are committed: after <c>SaveChanges</c> when it ran in
/// its own transaction, after the commit when the app opened one (before that the relay could not see them).
/// Add it with <see cref="OutboxDbContextOptionsExtensions.AddOutboxSignal"/>.
/// </summary>
public sealed class OutboxSignalInterceptor(IOutboxSignal signal) : SaveChangesInterceptor, IDbTransactionInterceptor
{
    // Contexts that saved outbox rows inside a transaction the app has not committed yet.
    private readonly ConditionalWeakTable<DbContext, object> _pending = [];

    /// <inheritdoc />
    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Remember(eventData.Context);
        return result;
    }

    /// <inheritdoc />
    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Remember(eventData.Context);
        return ValueTask.FromResult(result);
    }

    /// <inheritdoc />
    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        NotifyWhenCommitted(eventData.Context);
        return result;
    }

    /// <inheritdoc />
    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        NotifyWhenCommitted(eventData.Context);
        return ValueTask.FromResult(result);
    }

    /// <inheritdoc />
    public override void SaveChangesFailed(DbContextErrorEventData eventData) => ForgetUnlessInTransaction(eventData.Context);

    /// <inheritdoc />
    public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        ForgetUnlessInTransaction(eventData.Context);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Committed(eventData.Context);

    /// <inheritdoc />
    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Committed(eventData.Context);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Forget(eventData.Context);

    /// <inheritdoc />
    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Forget(eventData.Context);
        return Task.CompletedTask;
    }

    private void Remember(DbContext? context)
    {
        if (context is not null && context.ChangeTracker.Entries<OutboxMessage>().Any(e => e.State == EntityState.Added))
        {
            _pending.AddOrUpdate(context, this);
        }
    }

    private void NotifyWhenCommitted(DbContext? context)
    {
        // Inside the app's transaction the rows are not visible yet: the commit notifies.
        if (context is not null && context.Database.CurrentTransaction is null)
        {
            Committed(context);
        }
    }

    private void Committed(DbContext? context)
    {
        if (context is not null && _pending.Remove(context))
        {
            signal.Notify();
        }
    }

    // A failed save in the app's transaction may still be retried and committed; without one, nothing was written.
    private void ForgetUnlessInTransaction(DbContext? context)
    {
        if (context is not null && context.Database.CurrentTransaction is null)
        {
            Forget(context);
        }
    }

    private void Forget(DbContext? context)
    {
        if (context is not null)
        {
            _pending.Remove(context);
        }
    }
}

/// <summary>Wires the outbox into a DbContext's options.</summary>
public static class OutboxDbContextOptionsExtensions
{
    /// <summary>
    /// Adds the interceptor that wakes the relay when outbox rows commit, and on SQLite <see cref="AddSqliteBusyWait"/>:
    /// the relay woken at each commit is a second writer beside the app's saves.
    /// </summary>
    public static DbContextOptionsBuilder AddOutboxSignal(this DbContextOptionsBuilder options, IOutboxSignal signal) =>
        options.AddInterceptors(new OutboxSignalInterceptor(signal)).AddSqliteBusyWait();

    /// <summary>
    /// On SQLite, waits up to <paramref name="wait"/> (default 5 s) for the write lock in SQLite's own busy handler
    /// (<see cref="SqliteBusyWaitInterceptor"/>); other providers are left alone. For an app that uses only the inbox
    /// beside writers of its own.
    /// </summary>
    public static DbContextOptionsBuilder AddSqliteBusyWait(this DbContextOptionsBuilder options, TimeSpan? wait = null) =>
        options.AddInterceptors(new SqliteBusyWaitInterceptor(wait ?? TimeSpan.FromSeconds(5)));
}
