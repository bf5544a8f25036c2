using PubSubDemo.OutboxTests.Support;
using Xunit.Abstractions;

namespace PubSubDemo.OutboxTests;

/// <summary>
/// samples/Orders under kill -9, as real processes, with thousands of orders: the order service (the outbox and its
/// relay), the stock service (the inbox) and redis-server are each killed under load and started again. Afterwards,
/// read from the database: every saved order has exactly one reservation, no reservation exists for an order that was
/// not saved, and no outbox row is left unsent. On SQLite and on PostgreSQL.
/// </summary>
public abstract class OrdersFaultTests(OutboxServers servers, DatabaseKind kind, ITestOutputHelper output) : IAsyncLifetime
{
    private const int Orders = 2000;
    private const int Attempts = 5;
    private static readonly TimeSpan Drain = TimeSpan.FromSeconds(60);

    private OrdersRun _run = null!;

    public async Task InitializeAsync()
    {
        _run = await OrdersRun.StartAsync(kind, servers.Postgres, "orders");
        output.WriteLine($"{kind}, redis-server on {_run.Redis.Address} (appendonly, fsync always), queue {_run.Queue}");
    }

    public async Task DisposeAsync()
    {
        output.WriteLine(await _run.StopAsync());
        await _run.DisposeAsync();
    }

    [Fact]
    public async Task An_order_service_killed_between_its_commits_and_the_relays_publish_sends_what_was_left_once_restarted()
    {
        var orders = await StartOrderServiceAsync();
        await OrdersRun.RunningAsync(_run.Start("stock-service", Orders));

        // Under load the relay trails the commits by a batch or so: kill while the database holds committed orders whose
        // messages are not sent. Should the kill land just after the relay caught up, start again and kill again.
        var leftUnsent = new List<string>();
        for (var attempt = 1; attempt <= Attempts && leftUnsent.Count == 0; attempt++)
        {
            var floor = await _run.CountAsync("orders") + Orders / 8;
            await Wait.UntilAsync(async () => await _run.CountAsync("orders") >= floor && (await _run.UnsentMessageIdsAsync()).Count > 0,
                "the order service saves orders faster than its relay marks them sent", TimeSpan.FromSeconds(30));
            orders.KillHard();
            await orders.WaitForExitAsync(TimeSpan.FromSeconds(10));
            leftUnsent = await _run.UnsentMessageIdsAsync();
            var published = leftUnsent.Intersect(await _run.HandledMessageIdsAsync()).Count();
            output.WriteLine($"kill {attempt}: {await _run.CountAsync("orders")} orders saved, {leftUnsent.Count} unsent, of which {published} already published and handled (the relay died before marking them sent)");
            orders = await StartOrderServiceAsync();
        }

        Assert.NotEmpty(leftUnsent);
        await AssertEveryOrderReservedOnceAsync();
    }

    [Fact]
    public async Task An_order_service_killed_while_its_relays_batch_is_on_the_wire_sends_it_again_and_the_inbox_applies_it_once()
    {
        var orders = await StartOrderServiceAsync();
        var stock = _run.Start("stock-service", Orders);
        await OrdersRun.RunningAsync(stock);

        // The freezes must come while the order service is still placing: at ORDER_RATE 250 it places the 2,000 in 8 s
        // now that its saves no longer stall behind the relay's writes (SqliteBusyWaitInterceptor), so this waits for the
        // first reservations only, not for an eighth of the orders as it did when the saves lagged.
        var floor = Orders / 100;
        await Wait.UntilAsync(async () => await _run.CountAsync("stock_reservations") >= floor, $"the stock service reserves {floor} orders", TimeSpan.FromSeconds(30));

        // The server stops reading: the relay's next batch is written to the socket and waits there, unanswered, while
        // orders go on committing. The order service dies with that batch in flight (sent, never marked sent); the
        // server then wakes, reads the dead client's commands and executes them. Should the relay not have had a batch
        // on the wire at the kill (on SQLite it can be waiting for the writer's lock), start it again and try again.
        List<string> publishedNotMarked = [];
        for (var attempt = 1; attempt <= Attempts && publishedNotMarked.Count == 0; attempt++)
        {
            await _run.FreezeRedisAsync();
            var unsentAtFreeze = (await _run.UnsentMessageIdsAsync()).Count;
            await Wait.UntilAsync(async () => (await _run.UnsentMessageIdsAsync()).Count >= unsentAtFreeze + 100,
                "orders commit while the relay waits on the frozen server", TimeSpan.FromSeconds(4));
            orders.KillHard();
            await orders.WaitForExitAsync(TimeSpan.FromSeconds(10));
            await _run.ResumeRedisAsync();
            try
            {
                await Wait.UntilAsync(async () =>
                {
                    var unsent = await _run.UnsentMessageIdsAsync();
                    publishedNotMarked = [.. unsent.Intersect((await _run.MessageIdsOnServerAsync()).Concat(await _run.HandledMessageIdsAsync()))];
                    return publishedNotMarked.Count > 0;
                }, "messages of the dead relay's last batch reach the queue while their rows stay unsent", TimeSpan.FromSeconds(5));
            }
            catch (TimeoutException)
            {
                // Missed the window this time.
            }

            output.WriteLine($"kill {attempt}: {publishedNotMarked.Count} messages published by the dead relay and never marked sent");
            orders = await StartOrderServiceAsync();
        }

        Assert.NotEmpty(publishedNotMarked);
        await AssertEveryOrderReservedOnceAsync();
        // The restarted relay sent them again, with the ids fixed at save time: the stock service found their markers.
        await Wait.UntilAsync(() => SkippedDuplicates(stock) > 0, "the stock service reports the resent messages as duplicates skipped", TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_stock_service_killed_between_its_commits_and_its_acknowledgements_finds_the_markers_on_redelivery()
    {
        await StartOrderServiceAsync();
        var stock = _run.Start("stock-service", Orders);
        await OrdersRun.RunningAsync(stock);

        // The consumer takes a batch, handles it item by item (each reservation and marker one commit) and acknowledges
        // the batch at its end: kill it, then read which deliveries were committed and not yet acknowledged.
        var committedNotAcknowledged = new List<string>();
        for (var attempt = 1; attempt <= Attempts && committedNotAcknowledged.Count == 0; attempt++)
        {
            var floor = await _run.CountAsync("stock_reservations") + Orders / 8;
            await Wait.UntilAsync(async () => await _run.CountAsync("stock_reservations") >= floor,
                $"the stock service reserves {floor} orders", TimeSpan.FromSeconds(30));
            stock.KillHard();
            await stock.WaitForExitAsync(TimeSpan.FromSeconds(10));
            var inFlight = await _run.InFlightMessageIdsAsync();
            committedNotAcknowledged = [.. inFlight.Intersect(await _run.HandledMessageIdsAsync())];
            output.WriteLine($"kill {attempt}: {inFlight.Count} deliveries unacknowledged, {committedNotAcknowledged.Count} of them committed");
            stock = _run.Start("stock-service", Orders);
        }

        Assert.NotEmpty(committedNotAcknowledged);
        await AssertEveryOrderReservedOnceAsync();
        // The restarted consumer (same consumer name) took its predecessor's processing list first: each of those
        // deliveries found its marker and was acknowledged without a second reservation.
        await Wait.UntilAsync(() => SkippedDuplicates(stock) >= committedNotAcknowledged.Count,
            $"the restarted stock service reports at least {committedNotAcknowledged.Count} duplicates skipped", TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_redis_server_killed_and_restarted_from_its_append_only_file_loses_no_order_and_doubles_no_reservation()
    {
        await StartOrderServiceAsync();
        await OrdersRun.RunningAsync(_run.Start("stock-service", Orders));

        var floor = Orders / 4;
        await Wait.UntilAsync(async () => await _run.CountAsync("stock_reservations") >= floor, $"the stock service reserves {floor} orders", TimeSpan.FromSeconds(30));
        await _run.Redis.KillAsync();
        var savedAtCrash = await _run.CountAsync("orders");
        await _run.Redis.StartAsync();
        output.WriteLine($"redis-server killed with {savedAtCrash} orders saved and {await _run.CountAsync("stock_reservations")} reserved; restarted from its AOF");

        await AssertEveryOrderReservedOnceAsync();
    }

    private async Task<ServiceProcess> StartOrderServiceAsync()
    {
        var process = _run.Start("order-service", Orders);
        await OrdersRun.RunningAsync(process);
        return process;
    }

    /// <summary>
    /// Waits until all orders are saved, sent, reserved and the queue has drained on the server (nothing left that
    /// could still be delivered), then checks the database.
    /// </summary>
    private async Task AssertEveryOrderReservedOnceAsync()
    {
        await Wait.UntilAsync(
            async () => await _run.CountAsync("orders") == Orders
                && (await _run.UnsentMessageIdsAsync()).Count == 0
                && await _run.CountAsync("stock_reservations") >= Orders
                && await _run.ItemsOnServerAsync() == 0,
            $"{Orders} orders saved, sent and reserved, and the queue drained", Drain);

        var saved = await _run.OrderIdsAsync();
        var reserved = await _run.ReservedOrderIdsAsync();
        Assert.Equal(Orders, saved.Count);
        Assert.Empty(reserved.GroupBy(id => id).Where(g => g.Count() > 1).Select(g => $"{g.Key} reserved {g.Count()} times"));
        Assert.Empty(reserved.Except(saved));
        Assert.Empty(saved.Except(reserved));
        Assert.Empty(await _run.UnsentMessageIdsAsync());
        output.WriteLine($"{saved.Count} orders saved, {reserved.Count} reservations, 0 unsent");
    }

    private static long SkippedDuplicates(ServiceProcess stock) =>
        stock.Output.Where(l => l.StartsWith("[stock-service]", StringComparison.Ordinal))
            .Select(l => l[(l.LastIndexOf("duplicates skipped here ", StringComparison.Ordinal) + "duplicates skipped here ".Length)..])
            .Select(long.Parse)
            .DefaultIfEmpty(0)
            .Max();
}

[Collection(OutboxCollection.Name)]
public sealed class SqliteOrdersFaultTests(OutboxServers servers, ITestOutputHelper output) : OrdersFaultTests(servers, DatabaseKind.Sqlite, output);

[Collection(OutboxCollection.Name)]
public sealed class PostgresOrdersFaultTests(OutboxServers servers, ITestOutputHelper output) : OrdersFaultTests(servers, DatabaseKind.Postgres, output);
