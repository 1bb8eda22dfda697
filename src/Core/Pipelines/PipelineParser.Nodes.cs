using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Farm.Core.Pipelines;

/// <summary>Helpers shared by every level of the file: keys, kinds, names and references.</summary>
public static partial class PipelineParser
{
    /// <summary>The keys of one mapping that are allowed there, by name, with their key and value nodes.</summary>
    private sealed class Fields : Dictionary<string, (YamlScalarNode Key, YamlNode Value)>
    {
        public Fields()
            : base(StringComparer.Ordinal)
        {
        }
    }

    private const string NameRule = "use 1-100 letters, digits, '-', '_' or '.', starting with a letter or digit";

    // Edits beyond two turn suggestions into noise: 'name' is two edits from 'nam' but four from 'foo'.
    private const int MaxSuggestionDistance = 2;

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();

    /// <summary>
    /// The allowed keys of <paramref name="map"/>. Reports each unknown key, with the closest allowed
    /// one when it is a likely typo, and each key that is not a plain scalar. Keys in
    /// <paramref name="accepted"/> (default: <paramref name="allowed"/>) are returned without a
    /// report, for the caller to judge; messages only list and suggest <paramref name="allowed"/>.
    /// </summary>
    private static Fields ReadKeys(ParseContext context, YamlMappingNode map, string[] allowed, string where, string[]? accepted = null)
    {
        accepted ??= allowed;
        var fields = new Fields();
        foreach (var (keyNode, value) in map.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { } key } scalar)
            {
                context.Report(keyNode,
                    $"a key {where} is {Describe(keyNode)}: keys are plain names; allowed keys are {string.Join(", ", allowed)}.");
                continue;
            }

            if (!accepted.Contains(key, StringComparer.Ordinal))
            {
                var suggestion = Closest(key, allowed);
                var fix = suggestion is null ? "remove it." : $"did you mean '{suggestion}'?";
                context.Report(scalar, $"unknown key '{key}' {where}: {fix} Allowed keys are {string.Join(", ", allowed)}.");
                continue;
            }

            fields[key] = (scalar, value);
        }

        return fields;
    }

    /// <summary>
    /// The text of a required scalar key. Reports it at the mapping when missing, at the value when
    /// not a scalar, and at the key when empty; returns null after any of these.
    /// </summary>
    private static string? ReadRequiredText(
        ParseContext context, Fields fields, YamlMappingNode map, string key, string where, string hint)
    {
        if (!fields.TryGetValue(key, out var field))
        {
            context.Report(map, $"missing required key '{key}' {where}: add '{key}' with {hint}.");
            return null;
        }

        var text = ReadText(context, field.Value, $"'{key}' {where}");
        if (text is null)
        {
            return null;
        }

        if (text.Length == 0)
        {
            context.Report(field.Key, $"'{key}' {where} is empty: set it to {hint}.");
            return null;
        }

        return text;
    }

    /// <summary>
    /// The text of an optional scalar key; null when absent, YAML null, or not a scalar (reported).
    /// </summary>
    private static string? ReadOptionalText(ParseContext context, Fields fields, string key, string where) =>
        fields.TryGetValue(key, out var field) && !IsNull(field.Value)
            ? ReadText(context, field.Value, $"'{key}' {where}")
            : null;

    /// <summary>The text of a scalar, "" for YAML null; reports any other node and returns null.</summary>
    private static string? ReadText(ParseContext context, YamlNode node, string subject)
    {
        if (node is YamlScalarNode scalar)
        {
            return IsNull(scalar) ? "" : scalar.Value ?? "";
        }

        WrongKind(context, node, subject, "a single value");
        return null;
    }

    /// <summary>
    /// Reads the required <c>name</c> of a pipeline, stage or action and checks it against the
    /// name rule. Returns the text even when it breaks the rule, so later messages can say where.
    /// </summary>
    private static string? ReadName(ParseContext context, Fields fields, YamlMappingNode map, string kind, string where)
    {
        var name = ReadRequiredText(context, fields, map, "name", where, $"the {kind}'s name, e.g. name: build");
        if (name is not null && !NamePattern().IsMatch(name))
        {
            context.Report(fields["name"].Value, $"invalid {kind} name '{Shorten(name)}': {NameRule}.");
        }

        return name;
    }

    /// <summary>
    /// The <c>name</c> of a mapping before its keys are read, so that messages about its other keys
    /// can name it; null when it has no usable name.
    /// </summary>
    private static string? PeekName(YamlMappingNode map) => PeekScalar(map, "name");

    /// <summary>The text of <paramref name="key"/> in <paramref name="map"/> when it is a non-empty scalar; null otherwise.</summary>
    private static string? PeekScalar(YamlMappingNode map, string key)
    {
        foreach (var (keyNode, value) in map.Children)
        {
            if (keyNode is YamlScalarNode { Value: { } text } && text == key && value is YamlScalarNode scalar && !IsNull(scalar))
            {
                return scalar.Value;
            }
        }

        return null;
    }

    private static void WrongKind(ParseContext context, YamlNode node, string subject, string expected) =>
        context.Report(node, $"{subject} must be {expected}, not {Describe(node)}.");

    /// <summary>
    /// True for the plain scalars YAML reads as null (nothing, <c>~</c>, <c>null</c>); a quoted
    /// <c>"null"</c> is text.
    /// </summary>
    private static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any, Value: null or "" or "~" or "null" or "Null" or "NULL" };

    private static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        _ when IsNull(node) => "empty",
        YamlScalarNode scalar => $"the value '{Shorten(scalar.Value ?? "")}'",
        _ => "an unsupported node",
    };

    /// <summary>Long or multi-line values quoted in messages are cut, so the message stays one readable line.</summary>
    private static string Shorten(string text)
    {
        const int limit = 60;
        var firstLine = text.Split('\n')[0];
        return firstLine.Length > limit || firstLine.Length < text.Length
            ? firstLine[..Math.Min(limit, firstLine.Length)] + "…"
            : text;
    }

    /// <summary>The candidate nearest to <paramref name="text"/>, ignoring case, if it is a likely typo.</summary>
    private static string? Closest(string text, IEnumerable<string> candidates)
    {
        string? best = null;
        var bestDistance = MaxSuggestionDistance + 1;
        foreach (var candidate in candidates)
        {
            var distance = EditDistance(text.ToLowerInvariant(), candidate.ToLowerInvariant());
            if (distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        return best;
    }

    /// <summary>Levenshtein distance: insertions, deletions and substitutions each cost one.</summary>
    private static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j] + 1, current[j - 1] + 1));
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
