using YamlDotNet.RepresentationModel;

namespace Farm.Core.Pipelines;

/// <summary>
/// Reading what an action hands to later ones: its <c>namespace</c> of output variables, and the
/// artifacts it takes (<c>inputArtifacts</c>) and makes (<c>outputArtifacts</c>).
/// </summary>
public static partial class PipelineParser
{
    private const string PathsHint = "a list of workspace-relative paths or globs, e.g. [dist/**]";

    private static readonly string[] OutputArtifactKeys = ["name", "paths"];

    /// <summary>
    /// The action's namespace, recorded in the context so references and duplicates can be
    /// checked; null when absent or unusable (reported).
    /// </summary>
    private static string? ReadNamespace(
        ParseContext context, Fields fields, string where, string actionName, RunPosition position)
    {
        var text = ReadOptionalText(context, fields, "namespace", where);
        if (text is null)
        {
            return null;
        }

        var node = fields["namespace"].Value;
        if (text.Length == 0)
        {
            context.Report(node, $"'namespace' {where} is empty: set it to a name such as build, or remove it.");
            return null;
        }

        if (!NamespacePattern().IsMatch(text))
        {
            context.Report(node,
                $"invalid namespace '{Shorten(text)}' {where}: use 1-100 letters, digits, '_' or '-', starting with a letter.");
            return null;
        }

        if (ReservedNamespaces.Contains(text, StringComparer.OrdinalIgnoreCase))
        {
            context.Report(node,
                $"namespace '{text}' {where} is reserved: variables, execution and pipeline already name built-in values in #{{...}} references; choose another name.");
            return null;
        }

        if (context.Namespaces.TryGetValue(text, out var first))
        {
            context.Report(node,
                $"duplicate namespace '{text}' {where}: action '{first.ActionName}' in {first.Position.StageLabel} declares '{first.Name}' on line {LineOf(first.Node.Start)} (namespaces are compared ignoring case and are unique in the pipeline); choose another name.");
            return null;
        }

        context.Namespaces.Add(text, new Producer(text, node, actionName, position));
        return text;
    }

    /// <summary>
    /// A list of artifact names, or one scalar taken as a single name. Whether an earlier action
    /// makes each one is checked after every stage is read.
    /// </summary>
    private static List<string> ReadInputArtifacts(ParseContext context, Fields fields, string where, RunPosition position)
    {
        var inputs = new List<string>();
        if (!fields.TryGetValue("inputArtifacts", out var field) || IsNull(field.Value))
        {
            return inputs;
        }

        var items = field.Value switch
        {
            YamlSequenceNode list => list.Children,
            YamlScalarNode scalar => [scalar],
            _ => null,
        };
        if (items is null)
        {
            WrongKind(context, field.Value, $"'inputArtifacts' {where}", "a list of artifact names");
            return inputs;
        }

        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var item in items)
        {
            var name = ReadText(context, item, $"an artifact name in 'inputArtifacts' {where}");
            if (name is null)
            {
                continue;
            }

            if (name.Length == 0)
            {
                context.Report(item, $"an artifact name in 'inputArtifacts' {where} is empty: write the name of an artifact, or remove the item.");
                continue;
            }

            if (!NamePattern().IsMatch(name))
            {
                context.Report(item, $"invalid artifact name '{Shorten(name)}' in 'inputArtifacts' {where}: {NameRule}.");
                continue;
            }

            if (!seen.Add(name))
            {
                context.Report(item, $"artifact '{name}' is listed twice in 'inputArtifacts' {where}: remove one of them.");
                continue;
            }

            inputs.Add(name);
            context.AfterStages.Add(() => CheckInputArtifact(context, item, name, where, position));
        }

        return inputs;
    }

    /// <summary>An input must be made, under exactly its name, by an action that runs before the one taking it.</summary>
    private static void CheckInputArtifact(ParseContext context, YamlNode node, string name, string where, RunPosition position)
    {
        if (!context.Artifacts.TryGetValue(name, out var producer) || producer.Name != name)
        {
            var produced = context.Artifacts.Values.Select(p => p.Name).ToList();
            var list = produced.Count > 0 ? string.Join(", ", produced) : "none";
            var suggestion = Closest(name, produced);
            var fix = suggestion is not null
                ? $"Did you mean '{suggestion}'? Name a produced artifact in 'inputArtifacts' {where}."
                : $"Name a produced artifact in 'inputArtifacts' {where}, or add '{name}' to the outputArtifacts of an action that runs before it.";
            context.Report(node, $"no action produces artifact '{name}'; produced artifacts are: {list}. {fix}");
            return;
        }

        if (!producer.Position.RunsBefore(position))
        {
            context.Report(node,
                $"artifact '{name}' is made by action '{producer.ActionName}' in {producer.Position.StageLabel}, which does not run before this action: {OrderFix(producer, position, "output artifacts")} ('inputArtifacts' {where}).");
        }
    }

    /// <summary>
    /// The one artifact a git action makes, its checked-out tree: exactly one item, whose
    /// <c>paths</c> may be left out (default <c>**</c>, the whole tree).
    /// </summary>
    private static List<OutputArtifact> ReadGitOutputArtifact(
        ParseContext context, Fields fields, YamlMappingNode map, string actionLabel, string actionName, RunPosition position)
    {
        var where = "in " + actionLabel;
        const string fix = "a git action hands its checked-out tree to later actions as exactly one artifact; add e.g. outputArtifacts: [{ name: source }]";
        if (!fields.TryGetValue("outputArtifacts", out var field))
        {
            context.Report(map, $"missing required key 'outputArtifacts' {where}: {fix}.");
            return [];
        }

        if (IsNull(field.Value) || field.Value is YamlSequenceNode { Children.Count: 0 })
        {
            context.Report(IsNull(field.Value) ? field.Key : field.Value, $"'outputArtifacts' {where} is empty: {fix}.");
            return [];
        }

        if (field.Value is YamlSequenceNode { Children.Count: > 1 } list)
        {
            context.Report(list.Children[1],
                $"'outputArtifacts' {where} lists {list.Children.Count} artifacts: a git action makes exactly one, its checked-out tree; keep one and remove the others.");
        }

        return ReadOutputArtifacts(context, fields, actionLabel, actionName, position, pathsOptional: true);
    }

    /// <summary>
    /// The artifacts the action makes, each recorded in the context under its name. Each needs
    /// <c>paths</c>, unless <paramref name="pathsOptional"/> (git actions), where it defaults to <c>**</c>.
    /// </summary>
    private static List<OutputArtifact> ReadOutputArtifacts(
        ParseContext context, Fields fields, string actionLabel, string actionName, RunPosition position, bool pathsOptional = false)
    {
        var outputs = new List<OutputArtifact>();
        var where = "in " + actionLabel;
        if (!fields.TryGetValue("outputArtifacts", out var field) || IsNull(field.Value))
        {
            return outputs;
        }

        if (field.Value is not YamlSequenceNode list)
        {
            WrongKind(context, field.Value, $"'outputArtifacts' {where}", "a list of artifacts, each with a name and paths");
            return outputs;
        }

        for (var index = 0; index < list.Children.Count; index++)
        {
            var item = list.Children[index];
            if (item is not YamlMappingNode map)
            {
                WrongKind(context, item, $"output artifact {index + 1} {where}", "a mapping with name and paths");
                continue;
            }

            var peeked = PeekName(map);
            var artifactWhere = peeked is null
                ? $"in output artifact {index + 1} of {actionLabel}"
                : $"in output artifact '{peeked}' of {actionLabel}";
            var artifactFields = ReadKeys(context, map, OutputArtifactKeys, artifactWhere);
            var name = ReadRequiredText(context, artifactFields, map, "name", artifactWhere, "the artifact's name, e.g. name: binaries");
            var paths = pathsOptional && !artifactFields.ContainsKey("paths")
                ? ["**"]
                : ReadArtifactPaths(context, artifactFields, map, artifactWhere);
            if (name is null)
            {
                continue;
            }

            var nameNode = artifactFields["name"].Value;
            if (!NamePattern().IsMatch(name))
            {
                context.Report(nameNode, $"invalid artifact name '{Shorten(name)}' {artifactWhere}: {NameRule}.");
                continue;
            }

            if (context.Artifacts.TryGetValue(name, out var first))
            {
                context.Report(nameNode,
                    $"duplicate artifact name '{name}' {artifactWhere}: action '{first.ActionName}' in {first.Position.StageLabel} already produces '{first.Name}' on line {LineOf(first.Node.Start)} (artifact names are compared ignoring case and are unique in the pipeline); rename one of them.");
                continue;
            }

            context.Artifacts.Add(name, new Producer(name, nameNode, actionName, position));
            outputs.Add(new OutputArtifact(name, paths));
        }

        return outputs;
    }

    /// <summary>A required, non-empty list of relative paths, or one scalar taken as a single path.</summary>
    private static List<string> ReadArtifactPaths(ParseContext context, Fields fields, YamlMappingNode map, string where)
    {
        var paths = new List<string>();
        if (!fields.TryGetValue("paths", out var field))
        {
            context.Report(map, $"missing required key 'paths' {where}: add 'paths' with {PathsHint}.");
            return paths;
        }

        var items = field.Value switch
        {
            _ when IsNull(field.Value) => [],
            YamlSequenceNode list => list.Children,
            YamlScalarNode scalar => [scalar],
            _ => null,
        };
        if (items is null)
        {
            WrongKind(context, field.Value, $"'paths' {where}", PathsHint);
            return paths;
        }

        if (items.Count == 0)
        {
            context.Report(IsNull(field.Value) ? field.Key : field.Value,
                $"'paths' {where} is empty: add at least one workspace-relative path or glob, e.g. dist/**.");
            return paths;
        }

        for (var index = 0; index < items.Count; index++)
        {
            var item = items[index];
            var path = ReadText(context, item, $"path {index + 1} {where}");
            if (path is null)
            {
                continue;
            }

            if (string.IsNullOrWhiteSpace(path))
            {
                context.Report(item, $"path {index + 1} {where} is empty: write a workspace-relative path or glob, or remove the item.");
                continue;
            }

            if (path.StartsWith('/'))
            {
                context.Report(item,
                    $"path '{Shorten(path)}' {where} is absolute: write it relative to the workspace, e.g. '{Shorten(path.TrimStart('/'))}'.");
                continue;
            }

            // Backslashes count as separators too: '..\x' must not slip past on an agent that reads them so.
            if (path.Split('/', '\\').Contains(".."))
            {
                context.Report(item,
                    $"path '{Shorten(path)}' {where} leaves the workspace through '..': write a path inside the workspace.");
                continue;
            }

            paths.Add(path);
        }

        return paths;
    }
}
