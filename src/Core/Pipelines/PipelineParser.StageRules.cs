using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Farm.Core.Pipelines;

/// <summary>Reading a stage's <c>onFailure</c> and <c>beforeEntry</c>, and the top-level <c>executionMode</c>.</summary>
public static partial class PipelineParser
{
    private const int MinRetries = 1;
    private const int MaxRetries = 10;

    private static readonly string[] OnFailureKeys = ["result", "retries"];
    private static readonly string[] BeforeEntryKeys = ["result", "rules"];
    private static readonly string[] RuleKeys = ["variable", "operator", "value"];

    private static readonly Dictionary<string, ExecutionMode> ExecutionModes = new(StringComparer.Ordinal)
    {
        ["superseded"] = ExecutionMode.Superseded,
        ["queued"] = ExecutionMode.Queued,
        ["parallel"] = ExecutionMode.Parallel,
    };

    private static readonly Dictionary<string, FailureResult> FailureResults = new(StringComparer.Ordinal)
    {
        ["fail"] = FailureResult.Fail,
        ["retry"] = FailureResult.Retry,
        ["rollback"] = FailureResult.Rollback,
    };

    private static readonly Dictionary<string, EntryResult> EntryResults = new(StringComparer.Ordinal)
    {
        ["fail"] = EntryResult.Fail,
        ["skip"] = EntryResult.Skip,
    };

    private static readonly Dictionary<string, RuleOperator> RuleOperators = new(StringComparer.Ordinal)
    {
        ["equals"] = RuleOperator.Equal,
        ["notEquals"] = RuleOperator.NotEqual,
        ["contains"] = RuleOperator.Contains,
        ["matches"] = RuleOperator.Matches,
    };

    // .NET's parse errors read "Invalid pattern 'x' at offset N. Reason."; the reason is what helps.
    [GeneratedRegex(@"at offset \d+\. (?<reason>.+?)\.?$", RegexOptions.CultureInvariant)]
    private static partial Regex RegexErrorReason();

    private static ExecutionMode ReadExecutionMode(ParseContext context, Fields fields)
    {
        var text = ReadOptionalText(context, fields, "executionMode", TopLevel);
        return text is not null
            && TryReadChoice(context, fields["executionMode"].Value, text, ExecutionModes, "execution mode", TopLevel, out var mode)
            ? mode
            : ExecutionMode.Superseded;
    }

    /// <summary>
    /// <c>onFailure: fail | retry | rollback</c>, or <c>{ result, retries }</c>; retry alone means
    /// one retry. Anything unusable (reported) reads as the default, fail.
    /// </summary>
    private static FailureHandling ReadOnFailure(ParseContext context, Fields fields, string stageLabel)
    {
        if (!fields.TryGetValue("onFailure", out var field) || IsNull(field.Value))
        {
            return FailureHandling.Fail;
        }

        var stageWhere = "in " + stageLabel;
        const string what = "onFailure result";
        switch (field.Value)
        {
            case YamlScalarNode scalar:
                return TryReadChoice(context, scalar, scalar.Value ?? "", FailureResults, what, stageWhere, out var result)
                    ? new FailureHandling(result, result == FailureResult.Retry ? MinRetries : 0)
                    : FailureHandling.Fail;

            case YamlMappingNode map:
                var where = $"in 'onFailure' of {stageLabel}";
                var failureFields = ReadKeys(context, map, OnFailureKeys, where);
                var known = string.Join(", ", FailureResults.Keys);
                var text = ReadRequiredText(context, failureFields, map, "result", where, $"one of {known}");
                FailureResult? chosen = text is not null
                    && TryReadChoice(context, failureFields["result"].Value, text, FailureResults, what, stageWhere, out var read)
                    ? read
                    : null;
                var retries = ReadRetries(context, failureFields, where, chosen);
                return chosen switch
                {
                    FailureResult.Retry => new FailureHandling(FailureResult.Retry, retries ?? MinRetries),
                    { } other => new FailureHandling(other, 0),
                    null => FailureHandling.Fail,
                };

            default:
                WrongKind(context, field.Value, $"'onFailure' {stageWhere}",
                    $"one of {string.Join(", ", FailureResults.Keys)}, or a mapping with result and retries");
                return FailureHandling.Fail;
        }
    }

    /// <summary>The <c>retries</c> of an <c>onFailure</c> mapping; null when absent or unusable (reported).</summary>
    private static int? ReadRetries(ParseContext context, Fields fields, string where, FailureResult? result)
    {
        if (!fields.TryGetValue("retries", out var field))
        {
            return null;
        }

        if (result is not null and not FailureResult.Retry)
        {
            context.Report(field.Key,
                $"'retries' {where} only applies when result is retry: remove it, or set result: retry.");
            return null;
        }

        var text = ReadOptionalText(context, fields, "retries", where);
        if (text is null)
        {
            return null;
        }

        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var retries)
            || retries is < MinRetries or > MaxRetries)
        {
            context.Report(field.Value,
                $"retries '{Shorten(text)}' {where} is not valid: use a whole number from {MinRetries} to {MaxRetries}.");
            return null;
        }

        return retries;
    }

    /// <summary>
    /// <c>beforeEntry: { result: fail | skip, rules: [ { variable, operator, value } ] }</c>; null
    /// when absent. References in rules may only name namespaces of actions in earlier stages.
    /// </summary>
    private static EntryConditions? ReadBeforeEntry(ParseContext context, Fields fields, int stage, string stageLabel)
    {
        if (!fields.TryGetValue("beforeEntry", out var field) || IsNull(field.Value))
        {
            return null;
        }

        if (field.Value is not YamlMappingNode map)
        {
            WrongKind(context, field.Value, $"'beforeEntry' in {stageLabel}", "a mapping with result and rules");
            return null;
        }

        var where = $"in 'beforeEntry' of {stageLabel}";
        var entryFields = ReadKeys(context, map, BeforeEntryKeys, where);
        var result = EntryResult.Fail;
        var resultText = ReadOptionalText(context, entryFields, "result", where);
        if (resultText is not null
            && TryReadChoice(context, entryFields["result"].Value, resultText, EntryResults, "beforeEntry result", "in " + stageLabel, out var read))
        {
            result = read;
        }

        var rules = new List<EntryRule>();
        var list = ReadRequiredList(context, entryFields, map, "rules", where, "rule", "a variable, an optional operator and a value");
        if (list is null)
        {
            return new EntryConditions(result, rules);
        }

        var position = RunPosition.StageEntry(stage, stageLabel);
        for (var index = 0; index < list.Children.Count; index++)
        {
            var item = list.Children[index];
            if (item is not YamlMappingNode rule)
            {
                WrongKind(context, item, $"rule {index + 1} {where}", "a mapping with variable, operator and value");
                continue;
            }

            var entryRule = ReadRule(context, rule, $"in rule {index + 1} of 'beforeEntry' of {stageLabel}", position);
            if (entryRule is not null)
            {
                rules.Add(entryRule);
            }
        }

        return new EntryConditions(result, rules);
    }

    /// <summary>One rule; null when its variable or value is unusable (reported).</summary>
    private static EntryRule? ReadRule(ParseContext context, YamlMappingNode map, string where, RunPosition position)
    {
        var fields = ReadKeys(context, map, RuleKeys, where);
        var variable = ReadRequiredText(context, fields, map, "variable", where,
            "the text to check, usually a reference such as \"#{build.BRANCH}\" (quoted, or YAML reads it as a comment)");
        if (variable is not null)
        {
            CheckReferences(context, fields["variable"].Value, variable, "variable", where, position);
        }

        var op = RuleOperator.Equal;
        var opText = ReadOptionalText(context, fields, "operator", where);
        if (opText is not null
            && TryReadChoice(context, fields["operator"].Value, opText, RuleOperators, "operator", where, out var readOp))
        {
            op = readOp;
        }

        string? value = null;
        if (!fields.TryGetValue("value", out var valueField))
        {
            context.Report(map,
                $"missing required key 'value' {where}: add 'value' with the text to compare with; write value: \"\" to compare with empty text.");
        }
        else
        {
            // A plain 'value:' with nothing after it is YAML null, read as empty text like env values.
            value = ReadText(context, valueField.Value, $"'value' {where}");
        }

        if (value is not null)
        {
            CheckReferences(context, valueField.Value, value, "value", where, position);
            if (op == RuleOperator.Matches)
            {
                CheckPattern(context, valueField.Value, value, where);
            }
        }

        return variable is null || value is null ? null : new EntryRule(variable, op, value);
    }

    /// <summary>
    /// A <c>matches</c> value must compile as a .NET regular expression. A value holding references
    /// is only known when the stage is entered, so it is checked then, not here.
    /// </summary>
    private static void CheckPattern(ParseContext context, YamlNode node, string value, string where)
    {
        if (Interpolation.FindReferences(value).Count > 0 || Interpolation.IndexOfUnclosed(value) >= 0)
        {
            return;
        }

        var pattern = Interpolation.Resolve(value, new Dictionary<string, string>());
        try
        {
            _ = new Regex(pattern, RegexOptions.None);
        }
        catch (ArgumentException ex)
        {
            var reason = ex is RegexParseException parse && RegexErrorReason().Match(parse.Message) is { Success: true } match
                ? $"{match.Groups["reason"].Value} (at offset {parse.Offset})"
                : ex.Message.TrimEnd('.');
            reason = char.ToLowerInvariant(reason[0]) + reason[1..];
            context.Report(node,
                $"invalid regular expression '{Shorten(value)}' {where}: {reason}; fix the pattern, or use operator: contains or equals to compare with plain text.");
        }
    }

    /// <summary>
    /// Looks <paramref name="text"/> up among <paramref name="choices"/> (exact, case-sensitive);
    /// reports an unknown one with the closest choice and the full list.
    /// </summary>
    private static bool TryReadChoice<T>(
        ParseContext context, YamlNode node, string text, Dictionary<string, T> choices, string what, string where, out T value)
    {
        if (choices.TryGetValue(text, out value!))
        {
            return true;
        }

        var known = string.Join(", ", choices.Keys);
        var suggestion = Closest(text, choices.Keys);
        var fix = suggestion is null ? $"use one of {known}." : $"did you mean '{suggestion}'? Use one of {known}.";
        context.Report(node, $"unknown {what} '{Shorten(text)}' {where}: {fix}");
        return false;
    }
}
