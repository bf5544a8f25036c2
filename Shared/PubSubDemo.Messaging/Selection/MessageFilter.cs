using System.Globalization;
using PubSubDemo.Messaging.Contract;

namespace PubSubDemo.Messaging.Selection;

/// <summary>The message fields a FILTER condition can look at: the contract's text fields and the sequence number.</summary>
internal enum FilterField
{
    Id,
    Content,
    Sender,
    Seq,
}

/// <summary>How a condition compares: <c>=</c>, <c>!=</c>, <c>~</c> (contains), <c>^=</c> (starts with). Ordinal, case-sensitive.</summary>
internal enum FilterOperator
{
    Equals,
    NotEquals,
    Contains,
    StartsWith,
}

/// <summary>
/// One condition of a FILTER. A field the message does not carry (a message without a sender or seq) holds no
/// text: <c>=</c>, <c>~</c> and <c>^=</c> fail on it and <c>!=</c> holds.
/// </summary>
internal sealed record FilterCondition(FilterField Field, FilterOperator Operator, string Value)
{
    public bool Matches(Message message)
    {
        var actual = Field switch
        {
            FilterField.Id => message.Id,
            FilterField.Content => message.Content,
            FilterField.Sender => message.Sender,
            _ => message.Seq?.ToString(CultureInfo.InvariantCulture),
        };
        return Operator switch
        {
            FilterOperator.Equals => actual is not null && string.Equals(actual, Value, StringComparison.Ordinal),
            FilterOperator.NotEquals => actual is null || !string.Equals(actual, Value, StringComparison.Ordinal),
            FilterOperator.Contains => actual is not null && actual.Contains(Value, StringComparison.Ordinal),
            _ => actual is not null && actual.StartsWith(Value, StringComparison.Ordinal),
        };
    }

    /// <summary>The condition as FILTER writes it, its value escaped (<see cref="MessageFilter.Escape"/>).</summary>
    public override string ToString() =>
        $"{MessageFilter.FieldNames[Field]}{MessageFilter.OperatorText[Operator]}{MessageFilter.Escape(Value)}";
}

/// <summary>
/// FILTER: conditions on message fields that must all hold, separated by <c>;</c>, such as
/// <c>sender=web-1;content~urgent;id^=order-</c>. A value runs to the next unescaped <c>;</c> and is taken literally
/// (spaces count); <c>\;</c> is a semicolon and <c>\\</c> a backslash inside a value, any other backslash is an error.
/// Spaces before a field name are skipped; one trailing <c>;</c> is allowed. Parsing never throws: a bad FILTER
/// comes back as the position (1-based) and the reason, for the start-up error line.
/// </summary>
internal sealed class MessageFilter(IReadOnlyList<FilterCondition> conditions)
{
    internal static readonly IReadOnlyDictionary<FilterField, string> FieldNames = new Dictionary<FilterField, string>
    {
        [FilterField.Id] = "id",
        [FilterField.Content] = "content",
        [FilterField.Sender] = "sender",
        [FilterField.Seq] = "seq",
    };

    internal static readonly IReadOnlyDictionary<FilterOperator, string> OperatorText = new Dictionary<FilterOperator, string>
    {
        [FilterOperator.Equals] = "=",
        [FilterOperator.NotEquals] = "!=",
        [FilterOperator.Contains] = "~",
        [FilterOperator.StartsWith] = "^=",
    };

    private static readonly string KnownFields = "id, content, sender or seq";

    public IReadOnlyList<FilterCondition> Conditions { get; } = conditions;

    public bool Matches(Message message)
    {
        foreach (var condition in Conditions)
        {
            if (!condition.Matches(message))
            {
                return false;
            }
        }

        return true;
    }

    public override string ToString() => string.Join(';', Conditions);

    /// <summary>A value as FILTER needs it written: backslashes and semicolons escaped.</summary>
    public static string Escape(string value) => value.Replace(@"\", @"\\", StringComparison.Ordinal).Replace(";", @"\;", StringComparison.Ordinal);

    /// <summary>Parses <paramref name="text"/>: the filter, or null and the position and reason it does not parse.</summary>
    public static (MessageFilter? Filter, string? Error) Parse(string text)
    {
        var conditions = new List<FilterCondition>();
        var i = 0;
        while (true)
        {
            while (i < text.Length && char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            if (i == text.Length)
            {
                return conditions.Count > 0 ? (new MessageFilter(conditions), null) : (null, At(i, $"no condition; write field=value with a field of {KnownFields}"));
            }

            var start = i;
            while (i < text.Length && char.IsAsciiLetter(text[i]))
            {
                i++;
            }

            if (i == start)
            {
                return (null, At(i, text[i] == ';' ? "an empty condition between two ';'" : $"expected a field name ({KnownFields})"));
            }

            var name = text[start..i];
            if (!FieldNames.Any(f => string.Equals(f.Value, name, StringComparison.OrdinalIgnoreCase)))
            {
                return (null, At(start, $"unknown field '{name}'; use {KnownFields}"));
            }

            var field = FieldNames.First(f => string.Equals(f.Value, name, StringComparison.OrdinalIgnoreCase)).Key;
            if (ReadOperator(text, ref i) is not { } op)
            {
                return (null, At(i, $"expected an operator after '{name}': = (equals), != (differs), ~ (contains) or ^= (starts with)"));
            }

            var valueStart = i;
            if (ReadValue(text, ref i) is not { } value)
            {
                return (null, At(i, @"a backslash escapes only ; and \ in a value (write \; or \\)"));
            }

            if (value.Length == 0 && op is FilterOperator.Contains or FilterOperator.StartsWith)
            {
                return (null, At(valueStart, $"'{OperatorText[op]}' needs a value after it"));
            }

            conditions.Add(new FilterCondition(field, op, value));
            if (i == text.Length)
            {
                return (new MessageFilter(conditions), null);
            }

            i++; // the ';'
        }
    }

    private static FilterOperator? ReadOperator(string text, ref int i)
    {
        foreach (var (op, written) in OperatorText.OrderByDescending(o => o.Value.Length))
        {
            if (text.AsSpan(i).StartsWith(written, StringComparison.Ordinal))
            {
                i += written.Length;
                return op;
            }
        }

        return null;
    }

    /// <summary>Reads up to the next unescaped ';' (left at <paramref name="i"/>) or the end; null on a bad escape, <paramref name="i"/> at its backslash.</summary>
    private static string? ReadValue(string text, ref int i)
    {
        var value = new System.Text.StringBuilder();
        while (i < text.Length && text[i] != ';')
        {
            if (text[i] == '\\')
            {
                if (i + 1 >= text.Length || text[i + 1] is not (';' or '\\'))
                {
                    return null;
                }

                i++;
            }

            value.Append(text[i]);
            i++;
        }

        return value.ToString();
    }

    private static string At(int index, string reason) => $"at position {index + 1}: {reason}";
}
