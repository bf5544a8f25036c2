using StackExchange.Redis;

namespace PubSubDemo.Messaging.Consumers;

/// <summary>
/// One round of the batch consumers' loop: beat, recover first when asked, take from each partition that may hold
/// something (the starting partition rotates), then wait for a doorbell, IDLE_POLL or the next due time.
/// </summary>
internal abstract partial class DoorbellConsumer
{
    private async Task RoundAsync(IDatabase database, CancellationToken stoppingToken)
    {
        Services.Heartbeat.Beat(LoopName);
        try
        {
            if (_recover)
            {
                _recover = false;
                for (var partition = 0; partition < _due.Length; partition++)
                {
                    await RecoverAsync(database, partition, stoppingToken);
                }

                MarkAllDue();
                Due.LookSoon();
            }

            var now = Due.Now;
            for (var partition = 0; partition < _due.Length; partition++)
            {
                if (Due.ShouldLook(partition, now))
                {
                    Volatile.Write(ref _due[partition], 1);
                }
            }

            var took = false;
            var start = _start;
            _start = (start + 1) % _due.Length;
            for (var i = 0; i < _due.Length && !stoppingToken.IsCancellationRequested; i++)
            {
                var partition = (start + i) % _due.Length;
                if (Interlocked.Exchange(ref _due[partition], 0) == 1 && await TakeAsync(database, partition, stoppingToken))
                {
                    // A full batch: it may hold more, looked at again next round, after the others had their turn. A
                    // short one drained it, which saves a round trip that would find nothing at moderate rates.
                    took = true;
                    Volatile.Write(ref _due[partition], 1);
                }
            }

            // Woken by a doorbell, after IDLE_POLL, or when the earliest item in a due set becomes due, whichever is first.
            if (!took && !await WaitForWorkAsync(database, Due.Until(Due.Now, IdleWait), stoppingToken))
            {
                // No ring for IDLE_POLL: look everywhere, for producers that push without ringing, and in the due
                // sets, for what other consumers scheduled (an idle look costs nothing on the message path); and
                // for work of ours that nothing is handling.
                MarkAllDue();
                Due.LookSoon();
                for (var partition = 0; partition < _due.Length && !stoppingToken.IsCancellationRequested; partition++)
                {
                    await SweepAsync(database, partition, stoppingToken);
                }
            }
        }
        catch (RedisServerException ex) when (Repairable(ex))
        {
            _recover = true;
        }
    }

    /// <summary>Asks the next round to take from <paramref name="partition"/> (without waking a wait).</summary>
    protected void MarkDue(int partition) => Volatile.Write(ref _due[partition], 1);

    private void MarkAllDue()
    {
        for (var partition = 0; partition < _due.Length; partition++)
        {
            Volatile.Write(ref _due[partition], 1);
        }
    }
}
