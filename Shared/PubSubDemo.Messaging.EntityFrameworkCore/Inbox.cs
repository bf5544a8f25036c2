using Microsoft.EntityFrameworkCore;

namespace PubSubDemo.Messaging.EntityFrameworkCore;

/// <summary>
/// The handled markers of the scope's DbContext: a handler records its delivery in the same transaction as its
/// writes, so a redelivery after the commit finds the marker and skips the effect.
/// </summary>
public interface IInbox
{
    /// <summary>
    /// False when <paramref name="messageId"/> was already handled in <paramref name="scope"/>; otherwise adds the marker
    /// to the change tracker (it commits with the handler's writes) and returns true. Two deliveries racing can both
    /// see true: the second commit then fails on the marker's key, which <see cref="IsAlreadyHandledAsync"/> (and
    /// <see cref="InboxExecution.RunOnceAsync{TContext}"/>) report as already handled.
    /// </summary>
    Task<bool> TryRecordAsync(string scope, string messageId, CancellationToken cancellationToken = default);

    /// <summary>Whether a committed marker says the message was handled in <paramref name="scope"/>.</summary>
    Task<bool> IsAlreadyHandledAsync(string scope, string messageId, CancellationToken cancellationToken = default);
}

/// <summary>The inbox of <typeparamref name="TContext"/>, whose model called <see cref="MessagingModelBuilderExtensions.AddMessagingInbox"/>.</summary>
/// <param name="context">The delivery scope's DbContext: the same instance the handler writes through.</param>
/// <param name="time">The clock for <see cref="InboxMarker.HandledAt"/>.</param>
public sealed class Inbox<TContext>(TContext context, TimeProvider time) : IInbox
    where TContext : DbContext
{
    /// <inheritdoc />
    public async Task<bool> TryRecordAsync(string scope, string messageId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(scope);
        ArgumentException.ThrowIfNullOrEmpty(messageId);
        var markers = context.Set<InboxMarker>();
        // Local first: the same delivery recorded twice in one unit of work is a duplicate, not a key violation.
        if (markers.Local.Any(m => m.Scope == scope && m.MessageId == messageId) || await IsAlreadyHandledAsync(scope, messageId, cancellationToken))
        {
            return false;
        }

        markers.Add(new InboxMarker { Scope = scope, MessageId = messageId, HandledAt = time.GetUtcNow().UtcDateTime });
        return true;
    }

    /// <inheritdoc />
    public Task<bool> IsAlreadyHandledAsync(string scope, string messageId, CancellationToken cancellationToken = default) =>
        context.Set<InboxMarker>().AsNoTracking().AnyAsync(m => m.Scope == scope && m.MessageId == messageId, cancellationToken);
}

/// <summary>What <see cref="InboxExecution.RunOnceAsync{TContext}"/> did with a delivery.</summary>
public enum InboxOutcome
{
    /// <summary>The effect ran and committed with the marker.</summary>
    Applied = 0,

    /// <summary>A marker was there (or another delivery's committed first): the effect did not run, or was rolled back.</summary>
    Duplicate = 1,
}

/// <summary>Runs a handler's effect at most once per (scope, message id), in one database transaction with its marker.</summary>
public static class InboxExecution
{
    /// <summary>
    /// Opens a transaction on <paramref name="context"/>, checks the marker, runs <paramref name="effect"/>, adds the
    /// marker, saves and commits. A marker found, or a concurrent delivery that committed its marker first (the key
    /// violation at save or commit), gives <see cref="InboxOutcome.Duplicate"/> with nothing of the effect kept.
    /// Other failures are thrown, with nothing committed: the delivery can be retried.
    /// </summary>
    public static async Task<InboxOutcome> RunOnceAsync<TContext>(
        TContext context, string scope, string messageId, Func<TContext, CancellationToken, Task> effect, CancellationToken cancellationToken = default)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(effect);
        // The marker's time is for people reading the table; nothing compares it, so the system clock does.
        var inbox = new Inbox<TContext>(context, TimeProvider.System);
        try
        {
            await using var transaction = await context.Database.BeginTransactionAsync(cancellationToken);
            if (!await inbox.TryRecordAsync(scope, messageId, cancellationToken))
            {
                return InboxOutcome.Duplicate;
            }

            await effect(context, cancellationToken);
            await context.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return InboxOutcome.Applied;
        }
        catch (DbUpdateException)
        {
            // Whatever the provider calls its key violation: if the marker is there now, another delivery won.
            context.ChangeTracker.Clear();
            if (await inbox.IsAlreadyHandledAsync(scope, messageId, cancellationToken))
            {
                return InboxOutcome.Duplicate;
            }

            throw;
        }
    }
}
