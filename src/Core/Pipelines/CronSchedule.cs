using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Farm.Core.Pipelines;

/// <summary>
/// Checks five-field cron expressions as schedule triggers write them:
/// <c>minute hour day-of-month month day-of-week</c>, separated by spaces.
/// </summary>
/// <remarks>
/// Each field is <c>*</c> or a comma-separated list of items; an item is a value, a range
/// <c>a-b</c> (smaller value first), or <c>*</c> or a range followed by <c>/step</c>. Ranges:
/// minute 0-59, hour 0-23, day of month 1-31, month 1-12 or JAN-DEC, day of week 0-6 (0 is
/// Sunday) or SUN-SAT; names ignore case. A step runs from 1 to one less than the field's span.
/// Extensions some cron dialects have (<c>@daily</c>, seconds, <c>?</c>, <c>L</c>, <c>W</c>,
/// <c>#</c>, <c>7</c> for Sunday, <c>5/15</c>) are refused rather than guessed at.
/// </remarks>
public static class CronSchedule
{
    private sealed record Field(string Name, int Min, int Max, string[]? Names = null)
    {
        public string Range => Names is null
            ? $"{Min}-{Max}"
            : $"{Min}-{Max} or {Names[0]}-{Names[^1]}";
    }

    private static readonly Field[] Fields =
    [
        new("minute", 0, 59),
        new("hour", 0, 23),
        new("day-of-month", 1, 31),
        new("month", 1, 12, ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]),
        new("day-of-week", 0, 6, ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]),
    ];

    private const string Shape = "write five fields, minute hour day-of-month month day-of-week, e.g. '0 3 * * MON-FRI' for 03:00 on weekdays";

    /// <summary>
    /// Checks <paramref name="expression"/>. When it is not valid, returns false and sets
    /// <paramref name="error"/> to a clause, starting in lowercase and without a final period,
    /// that says which field is wrong and how to write it.
    /// </summary>
    public static bool TryValidate(string expression, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(expression);
        error = Check(expression);
        return error is null;
    }

    private static string? Check(string expression)
    {
        var text = expression.Trim();
        if (text.StartsWith('@'))
        {
            return $"shortcuts such as @daily are not supported; {Shape}";
        }

        var parts = text.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != Fields.Length)
        {
            var seconds = parts.Length == 6 ? " (a seconds field is not supported)" : "";
            return $"it has {parts.Length} field{(parts.Length == 1 ? "" : "s")}{seconds}; {Shape}";
        }

        for (var index = 0; index < Fields.Length; index++)
        {
            var problem = CheckField(Fields[index], parts[index]);
            if (problem is not null)
            {
                return problem;
            }
        }

        return null;
    }

    private static string? CheckField(Field field, string text)
    {
        foreach (var item in text.Split(','))
        {
            if (item.Length == 0)
            {
                return $"the {field.Name} field '{text}' has an empty item; remove the extra ','";
            }

            var problem = CheckItem(field, text, item);
            if (problem is not null)
            {
                return problem;
            }
        }

        return null;
    }

    private static string? CheckItem(Field field, string text, string item)
    {
        var slash = item.IndexOf('/', StringComparison.Ordinal);
        var range = slash < 0 ? item : item[..slash];
        if (slash >= 0)
        {
            var stepText = item[(slash + 1)..];
            var maxStep = field.Max - field.Min;
            if (!int.TryParse(stepText, NumberStyles.None, CultureInfo.InvariantCulture, out var step) || step < 1 || step > maxStep)
            {
                return $"the step '{stepText}' in the {field.Name} field '{text}' is not valid; use a whole number from 1 to {maxStep}";
            }

            if (range != "*" && !range.Contains('-', StringComparison.Ordinal))
            {
                return $"the {field.Name} field '{text}' has a step after a single value; a step follows '*' or a range, e.g. {range}-{field.Max}/{stepText}";
            }
        }

        if (range == "*")
        {
            return null;
        }

        var dash = range.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0)
        {
            return ReadValue(field, text, range, out _);
        }

        var problem = ReadValue(field, text, range[..dash], out var from);
        if (problem is not null)
        {
            return problem;
        }

        problem = ReadValue(field, text, range[(dash + 1)..], out var to);
        if (problem is not null)
        {
            return problem;
        }

        return from > to
            ? $"the {field.Name} range '{range}' runs backwards; write the smaller value first, or split it into a list such as {range[..dash]}-{field.Max},{field.Min}-{range[(dash + 1)..]}"
            : null;
    }

    private static string? ReadValue(Field field, string text, string token, out int value)
    {
        value = 0;
        if (int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out value))
        {
            if (value >= field.Min && value <= field.Max)
            {
                return null;
            }

            var sunday = field.Names is not null && field.Max == 6 && value == 7 ? " (0 is Sunday)" : "";
            return $"the {field.Name} value '{token}' in '{text}' is out of range; use {field.Range}{sunday}";
        }

        var index = field.Names is null ? -1 : Array.FindIndex(field.Names, name => string.Equals(name, token, StringComparison.OrdinalIgnoreCase));
        if (index >= 0)
        {
            value = field.Min + index;
            return null;
        }

        return $"the {field.Name} field '{text}' holds '{token}', which is not a value; use {field.Range}, with '*', ',', '-' and '/step'";
    }
}
