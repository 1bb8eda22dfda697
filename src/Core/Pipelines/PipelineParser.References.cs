using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Farm.Core.Pipelines;

/// <summary>
/// Checking the <c>#{...}</c> references in pipeline text: variables, built-in values and the
/// output variables of actions that run earlier (<c>#{NAMESPACE.KEY}</c>).
/// </summary>
public static partial class PipelineParser
{
    // Lowercase as written in references; a namespace equal to one of them, ignoring case, is refused.
    private static readonly string[] ReservedNamespaces = ["variables", "execution", "pipeline", "secrets"];

    /// <summary>
    /// Reports each <c>#{...}</c> in <paramref name="text"/> that will not resolve when the text
    /// at <paramref name="position"/> runs. The check runs after every stage is read, since a
    /// reference may name a namespace declared further down the file.
    /// </summary>
    /// <param name="secretsAllowed">
    /// True where <c>#{secrets.NAME}</c> may stand: env values and http headers, whose resolved
    /// values reach only the agent, are masked in logs and are never stored with the execution.
    /// </param>
    private static void CheckReferences(
        ParseContext context, YamlNode node, string text, string what, string where, RunPosition position, bool secretsAllowed = false) =>
        context.AfterStages.Add(() => CheckReferencesNow(context, node, text, what, where, position, secretsAllowed));

    private static void CheckReferencesNow(
        ParseContext context, YamlNode node, string text, string what, string where, RunPosition position, bool secretsAllowed)
    {
        if (Interpolation.IndexOfUnclosed(text) >= 0)
        {
            context.Report(node,
                $"unclosed '#{{' {where} ({what}): close it with '}}', or write '##{{' for a literal '#{{'.");
        }

        foreach (var reference in Interpolation.FindReferences(text).Distinct(StringComparer.Ordinal))
        {
            const string variablePrefix = "variables.";
            if (reference is "execution.id" or "pipeline.name")
            {
                continue;
            }

            if (reference.StartsWith(Interpolation.SecretPrefix, StringComparison.Ordinal))
            {
                var secret = reference[Interpolation.SecretPrefix.Length..];
                if (!EnvKeyPattern().IsMatch(secret))
                {
                    context.Report(node, $"invalid secret name '{secret}' {where} ({what}): a secret's name is a letter or '_' followed by letters, digits and '_'.");
                }
                else if (!secretsAllowed)
                {
                    context.Report(node,
                        $"'#{{{reference}}}' {where} ({what}) uses a secret where it would be stored and shown: secrets can only be used in env values, http headers and registry credentials.");
                }

                continue;
            }

            if (reference.StartsWith(variablePrefix, StringComparison.Ordinal))
            {
                var variable = reference[variablePrefix.Length..];
                if (!context.Variables.Contains(variable))
                {
                    context.Report(node,
                        $"unknown variable '{variable}' {where} ({what}): declare it under variables, or use #{{execution.id}} / #{{pipeline.name}}.");
                }

                continue;
            }

            var dot = reference.IndexOf('.', StringComparison.Ordinal);
            if (dot > 0 && IsUsableNamespace(reference[..dot]))
            {
                CheckOutputReference(context, node, reference, dot, $"in '#{{{reference}}}' {where} ({what})", position);
                continue;
            }

            context.Report(node,
                $"unknown reference '#{{{reference}}}' {where} ({what}): write #{{variables.NAME}} for a variable declared under variables, #{{NAMESPACE.KEY}} for an output of an action that runs earlier, or use #{{execution.id}} / #{{pipeline.name}}.");
        }
    }

    /// <summary>
    /// A <c>#{NAMESPACE.KEY}</c> reference: the namespace must be declared, exactly as written, by
    /// an action that runs before <paramref name="position"/>, and KEY must be an output name.
    /// </summary>
    private static void CheckOutputReference(
        ParseContext context, YamlNode node, string reference, int dot, string subject, RunPosition position)
    {
        var ns = reference[..dot];
        var key = reference[(dot + 1)..];

        // The namespaces dictionary ignores case for uniqueness; a reference must still match the
        // declaration exactly, as the values are looked up by exact name when the action runs.
        if (!context.Namespaces.TryGetValue(ns, out var producer) || producer.Name != ns)
        {
            var declared = context.Namespaces.Values.Select(p => p.Name).ToList();
            var suggestion = Closest(ns, declared);
            var fix = suggestion is not null
                ? $"did you mean '{suggestion}'? Declared namespaces are {string.Join(", ", declared)}."
                : declared.Count > 0
                    ? $"declared namespaces are {string.Join(", ", declared)}; use one of them, or set 'namespace: {ns}' on the action whose outputs you mean."
                    : $"no action declares a namespace; set 'namespace: {ns}' on the action whose outputs you mean.";
            context.Report(node, $"unknown namespace '{ns}' {subject}: {fix}");
        }
        else if (!producer.Position.RunsBefore(position))
        {
            var consumer = position.IsStageEntry ? $"the entry rules of {position.StageLabel} are checked" : "this action";
            context.Report(node,
                $"namespace '{ns}' {subject} belongs to action '{producer.ActionName}' in {producer.Position.StageLabel}, which does not run before {consumer}: {OrderFix(producer, position, "outputs")}.");
        }

        // Output names follow the env-key rule: the agent reads them from KEY=value lines.
        if (!EnvKeyPattern().IsMatch(key))
        {
            context.Report(node,
                $"invalid output name '{Shorten(key)}' {subject}: after '{ns}.' write the name of an output variable, a letter or '_' followed by letters, digits and '_'.");
        }
    }

    /// <summary>
    /// What to change when <paramref name="producer"/> does not run before
    /// <paramref name="consumer"/>; a clause without the final period.
    /// </summary>
    private static string OrderFix(Producer producer, RunPosition consumer, string what)
    {
        var made = producer.Position;
        if (made.IsSameAction(consumer))
        {
            return $"it is this action itself, and an action cannot use its own {what}; take them from an action that runs earlier";
        }

        if (made.Stage > consumer.Stage)
        {
            return $"{made.StageLabel} runs after {consumer.StageLabel}; move action '{producer.ActionName}' to a stage before {consumer.StageLabel}";
        }

        if (consumer.IsStageEntry)
        {
            return $"entry rules can only use what actions of earlier stages provide; move action '{producer.ActionName}' to a stage before {consumer.StageLabel}";
        }

        return $"both are in {made.StageLabel}, and action '{producer.ActionName}' has runOrder {made.RunOrder}, not lower than this action's {consumer.RunOrder}; give '{producer.ActionName}' a lower runOrder, or move it to an earlier stage";
    }

    private static bool IsUsableNamespace(string name) =>
        NamespacePattern().IsMatch(name) && !ReservedNamespaces.Contains(name, StringComparer.OrdinalIgnoreCase);

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_-]{0,99}$", RegexOptions.CultureInvariant)]
    private static partial Regex NamespacePattern();
}
