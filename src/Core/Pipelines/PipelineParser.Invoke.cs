using YamlDotNet.RepresentationModel;

namespace Farm.Core.Pipelines;

/// <summary>Reading the keys of a <c>type: pipeline</c> action, which starts another pipeline.</summary>
public static partial class PipelineParser
{
    /// <summary>
    /// The pipeline to start, its variables and whether to wait; null when the pipeline is missing
    /// or unusable (reported). Whether that pipeline exists, and declares the variables, is only
    /// known when the action runs: it may be saved after this one.
    /// </summary>
    private static PipelineInvocation? ReadInvocation(
        ParseContext context, Fields fields, YamlMappingNode map, string where, RunPosition position, string? pipelineName)
    {
        var target = ReadRequiredText(context, fields, map, "pipeline", where, "the name of the pipeline to start, e.g. pipeline: deploy");
        if (target is not null)
        {
            var node = fields["pipeline"].Value;
            if (!NamePattern().IsMatch(target))
            {
                context.Report(node, $"invalid pipeline name '{Shorten(target)}' {where}: {NameRule}.");
                target = null;
            }
            else if (pipelineName is not null && string.Equals(target, pipelineName, StringComparison.OrdinalIgnoreCase))
            {
                // Ignoring case: names that differ only in case are too close to tell apart as a loop guard.
                context.Report(node,
                    $"pipeline '{target}' {where} is this pipeline itself: an action may not start its own pipeline, as every execution would start another without end; name a different pipeline.");
                target = null;
            }
        }

        var variables = ReadInvocationVariables(context, fields, where, position);
        var wait = ReadBool(context, fields, "wait", where) ?? false;
        return target is null ? null : new PipelineInvocation(target, variables, wait);
    }

    /// <summary>Variables for the started execution, in file order; values may hold references.</summary>
    private static Dictionary<string, string> ReadInvocationVariables(ParseContext context, Fields fields, string where, RunPosition position)
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!fields.TryGetValue("variables", out var field) || IsNull(field.Value))
        {
            return variables;
        }

        if (field.Value is not YamlMappingNode map)
        {
            WrongKind(context, field.Value, $"'variables' {where}", "a mapping of variable name: value");
            return variables;
        }

        foreach (var (keyNode, valueNode) in map.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { } name })
            {
                WrongKind(context, keyNode, $"a variable name in 'variables' {where}", "a plain name");
                continue;
            }

            if (name.Length > MaxVariableNameLength || !VariableNamePattern().IsMatch(name))
            {
                context.Report(keyNode,
                    $"invalid variable name '{Shorten(name)}' in 'variables' {where}: use up to {MaxVariableNameLength} letters, digits, '_' or '-', starting with a letter or '_'.");
                continue;
            }

            var value = ReadText(context, valueNode, $"variable '{name}' in 'variables' {where}");
            if (value is null)
            {
                continue;
            }

            CheckReferences(context, valueNode, value, $"variable '{name}'", where, position);
            variables[name] = value;
        }

        return variables;
    }

    /// <summary>
    /// An optional <c>true</c> or <c>false</c> (any case, quoted or not); null when absent or
    /// unusable (reported).
    /// </summary>
    private static bool? ReadBool(ParseContext context, Fields fields, string key, string where)
    {
        var text = ReadOptionalText(context, fields, key, where);
        if (text is null)
        {
            return null;
        }

        if (bool.TryParse(text, out var value))
        {
            return value;
        }

        context.Report(fields[key].Value, $"'{key}' {where} must be true or false, not '{Shorten(text)}'.");
        return null;
    }
}
