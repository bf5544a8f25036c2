using PubSubDemo.Messaging.Contract;
using PubSubDemo.Messaging.Processing;
using StackExchange.Redis;

namespace PubSubDemo.Messaging.Dedupe;

/// <summary>
/// One batch under DEDUPE: which of its messages were handled before (looked up once, by <see cref="Deduplicator"/>),
/// the effects each handler added, and the commit that applies them with the markers and acknowledgements in one script.
/// </summary>
internal sealed class DedupeBatch(MessageSource source, string effectsPrefix, string?[] ids, RedisKey[] markers, bool[] seen, TimeSpan ttl)
{
    private readonly RedisEffects?[] _effects = new RedisEffects?[ids.Length];
    private readonly HashSet<string> _handledHere = [];

    /// <summary>
    /// A message handled before, or earlier in this batch, is counted as a duplicate and not handed to the handler;
    /// others get a fresh <see cref="RedisEffects"/>. <paramref name="channel"/> names a channel message's channel for the observers.
    /// </summary>
    public async ValueTask<ProcessResult> ProcessAsync(MessageProcessor processor, int index, ReadOnlyMemory<byte> payload, string? channel = null)
    {
        if (ids[index] is { } id && (seen[index] || _handledHere.Contains(id)))
        {
            return processor.Duplicate(source, id, channel);
        }

        _effects[index] = ids[index] is null ? null : new RedisEffects(effectsPrefix);
        var result = await processor.ProcessAsync(source, payload, CancellationToken.None, _effects[index], channel);
        if (result.Disposition == Disposition.Handled && ids[index] is { } handled)
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
        var rest = new List<(int, RedisValue, ProcessResult)>();
        var taken = new List<(int Index, RedisValue Ack, ProcessResult Result)>();
        foreach (var item in results)
        {
            (item.Result.Disposition is Disposition.Handled or Disposition.Duplicate && ids[item.Index] is not null ? taken : rest).Add(item);
        }

        if (taken.Count == 0)
        {
            return rest;
        }

        var keys = new List<RedisKey>(taken.Count * 2 + 1) { target ?? markers[taken[0].Index] };
        var arguments = new List<RedisValue> { mode, group, (long)ttl.TotalMilliseconds, taken.Count };
        keys.AddRange(taken.Select(t => markers[t.Index]));
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
                    processor.CommittedElsewhere(source, ids[index]!);
                }
            }
            else
            {
                rest.Add((index, ack, processor.EffectFailed(source, ids[index]!, ScriptReplies.ErrorText(outcomes[i]))));
            }
        }

        return rest;
    }
}
