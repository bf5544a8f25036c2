using PubSubDemo.Messaging.Configuration;
using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace PubSubDemo.Shared.Configuration;

/// <summary>
/// Reads the environment variables users already know and turns every bad value into one line that
/// names the variable, the value and what is allowed, instead of an exception with a stack trace.
/// </summary>
internal sealed class SettingsReader(IConfiguration configuration)
{
    private readonly List<string> _errors = [];

    public IReadOnlyList<string> Errors => _errors;

    public string? Raw(string name)
    {
        var value = configuration[name];
        return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }

    public void Error(string name, string? value, string allowed) =>
        _errors.Add($"{name}='{value}' is not valid: {allowed}.");

    public string Text(string name, string fallback) => Raw(name) ?? fallback;

    public string NonEmpty(string name, string fallback)
    {
        var value = configuration[name];
        if (value is not null && string.IsNullOrWhiteSpace(value))
        {
            Error(name, value, "it must not be empty");
            return fallback;
        }

        return value?.Trim() ?? fallback;
    }

    public long Number(string name, long fallback, long min, long max = long.MaxValue)
    {
        var raw = Raw(name);
        if (raw is null)
        {
            return fallback;
        }

        if (!long.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            Error(name, raw, max == long.MaxValue ? $"use a whole number >= {min}" : $"use a whole number from {min} to {max}");
            return fallback;
        }

        return value;
    }

    public int Count(string name, int fallback, int min, int max = int.MaxValue) =>
        (int)Number(name, fallback, min, max);

    public double? Real(string name, double min, double max = double.MaxValue)
    {
        var raw = Raw(name);
        if (raw is null)
        {
            return null;
        }

        if (!double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ||
            double.IsNaN(value) || value < min || value > max)
        {
            Error(name, raw, $"use a number >= {min.ToString(CultureInfo.InvariantCulture)}");
            return null;
        }

        return value;
    }

    public bool Flag(string name, bool fallback)
    {
        var raw = Raw(name);
        switch (raw?.ToLowerInvariant())
        {
            case null:
                return fallback;
            case "1" or "true" or "yes" or "on":
                return true;
            case "0" or "false" or "no" or "off":
                return false;
            default:
                Error(name, raw, "use true or false");
                return fallback;
        }
    }

    /// <summary>Reads a duration: <c>2</c> or <c>2.0</c> (seconds, as seed 002), <c>500ms</c>, <c>3s</c>, <c>1m</c> or <c>00:00:02</c>.</summary>
    public TimeSpan Duration(string name, TimeSpan fallback, TimeSpan min) =>
        OptionalDuration(name, min) ?? fallback;

    public TimeSpan? OptionalDuration(string name, TimeSpan min)
    {
        var raw = Raw(name);
        if (raw is null)
        {
            return null;
        }

        if (!DurationParser.TryParse(raw, out var value) || value < min)
        {
            Error(name, raw, min > TimeSpan.Zero
                ? $"use a duration of at least {DurationParser.Format(min)} such as 2, 2.0, 500ms or 00:00:02"
                : "use a duration >= 0 such as 2, 2.0, 500ms or 00:00:02");
            return null;
        }

        return value;
    }

    public T Choice<T>(string name, T fallback, IReadOnlyDictionary<string, T> allowed)
    {
        var raw = Raw(name);
        if (raw is null)
        {
            return fallback;
        }

        if (allowed.TryGetValue(raw.ToLowerInvariant(), out var value))
        {
            return value;
        }

        Error(name, raw, $"use {string.Join(", ", allowed.Keys.SkipLast(1))} or {allowed.Keys.Last()}");
        return fallback;
    }
}
