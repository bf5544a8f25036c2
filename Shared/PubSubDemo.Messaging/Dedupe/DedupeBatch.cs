using PubSubDemo.Messaging.Consumers;
using PubSubDemo.Messaging.Contract;
using PubSubDemo.Messaging.Processing;
using StackExchange.Redis;

namespace PubSubDemo.Messaging.Dedupe;

/// <summary>
/// One batch of deliveries as it entered DEDUPE (<see cref="Deduplicator.BeginAsync"/>): with DEDUPE on, which of its
/// messages were handled before (looked up once), the effects each handler added, and the commit that applies them
/// with the markers and acknowledgements in one script; with DEDUPE off, the processing path alone.
/// </summary>
internal sealed class DedupeBatch(IReadOnlyList<Delivery> deliveries, DedupeBatch.Markers? markers = null)
{
    private readonly RedisEffects?[] _effects = new RedisEffects?[deliveries.Count];
    private readonly HashSet<string> _handledHere = [];

    /// <summary>Where the batch's markers live, whether each was set already, and how long a new one lives.</summary>
    internal sealed record Markers(string EffectsPrefix, RedisKey[] Keys, bool[] Seen, TimeSpan Ttl);

    /// <summary>Whether DEDUPE is on: the handled and the duplicates are then settled by <see cref="CommitAsync"/>.</summary>
    public bool Active => markers is not null;

    /// <summary>
    /// Hands delivery <paramref name="index"/> to the processing path. With DEDUPE on, a message handled before, or
    /// earlier in this batch, is counted as a duplicate and not handed to the handler; others get a fresh <see cref="RedisEffects"/>.
    /// </summary>
    public async ValueTask<ProcessResult> ProcessAsync(MessageProcessor processor, int index)
    {
        var delivery = deliveries[index];
        if (markers is null)
        {
            return await processor.ProcessAsync(delivery, CancellationToken.None);
        }

        if (delivery.Id is { } id && (markers.Seen[index] || _handledHere.Contains(id)))
        {
            return processor.Duplicate(delivery.Source, id, delivery.Channel);
        }

        _effects[index] = delivery.Id is null ? null : new RedisEffects(markers.EffectsPrefix);
        var result = await processor.ProcessAsync(delivery, CancellationToken.None, _effects[index]);
        if (result.Disposition == Disposition.Handled && delivery.Id is { } handled)
        {
            _handledHere.Add(handled);
        }

        return result;
    }

    /// <summary>
    /// Commits the handled and duplicate messages among <paramref name="results"/> (index, acknowledgement, result):
    /// effects and marker when the marker is still absent, and the acknowledgement (<paramref name="mode"/> 'queue' removes
    /// the item from <paramref name="target"/>, 'stream' XACKs it in <paramref name="group"/>, 'none' for the channel).
    /// Returns the results that are still to be settled: those it did not take, and handled ones whose effect failed (now Failed).
    /// </summary>
    public async Task<List<(int Index, RedisValue Ack, ProcessResult Result)>> CommitAsync(
        IDatabase database, MessageProcessor processor, RedisKey? target, string mode, string group, IReadOnlyList<(int Index, RedisValue Ack, ProcessResult Result)> results)
    {
        if (markers is null)
        {
            return [.. results];
        }

        var source = deliveries[0].Source;
        var (ttl, keyOf) = (markers.Ttl, markers.Keys);
        var rest = new List<(int, RedisValue, ProcessResult)>();
        var taken = new List<(int Index, RedisValue Ack, ProcessResult Result)>();
        foreach (var item in results)
        {
            (item.Result.Disposition is Disposition.Handled or Disposition.Duplicate && deliveries[item.Index].Id is not null ? taken : rest).Add(item);
        }

        if (taken.Count == 0)
        {
            return rest;
        }

        var keys = new List<RedisKey>(taken.Count * 2 + 1) { target ?? keyOf[taken[0].Index] };
        var arguments = new List<RedisValue> { mode, group, (long)ttl.TotalMilliseconds, taken.Count };
        keys.AddRange(taken.Select(t => keyOf[t.Index]));
        foreach (var (index, ack, _) in taken)
        {
            var commands = _effects[index]?.Commands ?? [];
            arguments.Add(ack);
            arguments.Add(commands.Count);
            foreach (var command in commands)
            {
                keys.Add(command.Key);
                arguments.Add(command.Name);
                arguments.Add(command.Arguments.Length);
                arguments.AddRange(command.Arguments);
            }
        }

        var outcomes = (RedisResult[])(await database.ScriptEvaluateAsync(DedupeScripts.Commit, [.. keys], [.. arguments]))!;
        for (var i = 0; i < taken.Count; i++)
        {
            var (index, ack, result) = taken[i];
            if (outcomes[i].Resp2Type == ResultType.Integer)
            {
                if ((long)outcomes[i] == 0 && result.Disposition == Disposition.Handled)
                {
                    // Handled here while another consumer committed the same id first: its effect is not applied twice.
                    processor.CommittedElsewhere(source, deliveries[index].Id!);
                }
            }
            else
            {
                rest.Add((index, ack, processor.EffectFailed(source, deliveries[index].Id!, ScriptReplies.ErrorText(outcomes[i]))));
            }
        }

        return rest;
    }
}
