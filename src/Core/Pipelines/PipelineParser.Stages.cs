using YamlDotNet.RepresentationModel;

namespace Farm.Core.Pipelines;

/// <summary>Reading the <c>stages</c> list and each stage's <c>actions</c> list.</summary>
public static partial class PipelineParser
{
    private static readonly string[] StageKeys = ["name", "actions", "onFailure", "beforeEntry", "protected"];

    private static List<StageDefinition> ReadStages(
        ParseContext context, Fields fields, YamlMappingNode root, string? pipelineName, bool pipelineProtected)
    {
        var stages = new List<StageDefinition>();
        var list = ReadRequiredList(context, fields, root, "stages", TopLevel, "stage", "a name and actions");
        if (list is null)
        {
            return stages;
        }

        // Case-insensitive: stage names appear in URLs and on the dashboard, where Build and build
        // would be indistinguishable to people.
        var seen = new Dictionary<string, YamlNode>(StringComparer.OrdinalIgnoreCase);
        var gitActions = new Dictionary<string, (YamlNode Node, string StageLabel)>(StringComparer.OrdinalIgnoreCase);
        for (var index = 0; index < list.Children.Count; index++)
        {
            var item = list.Children[index];
            if (item is not YamlMappingNode map)
            {
                WrongKind(context, item, $"stage {index + 1}", "a mapping with name and actions");
                continue;
            }

            var peeked = PeekName(map);
            var label = peeked is null ? $"stage {index + 1}" : $"stage '{peeked}'";
            var where = "in " + label;
            var stageFields = ReadKeys(context, map, StageKeys, where);
            var name = ReadName(context, stageFields, map, "stage", where);
            if (name is not null)
            {
                var nameNode = stageFields["name"].Value;
                if (seen.TryGetValue(name, out var first))
                {
                    var firstName = ((YamlScalarNode)first).Value;
                    context.Report(nameNode,
                        $"duplicate stage name '{name}': stage '{firstName}' on line {LineOf(first.Start)} has the same name (names are compared ignoring case); rename one of them.");
                }
                else
                {
                    seen.Add(name, nameNode);
                }
            }

            var onFailure = ReadOnFailure(context, stageFields, label);
            var beforeEntry = ReadBeforeEntry(context, stageFields, index, label);
            var actions = ReadActions(context, stageFields, map, index, label, where, pipelineName, gitActions);
            var isProtected = ReadStageProtection(context, stageFields, actions, label, where) || pipelineProtected;
            stages.Add(new StageDefinition(name ?? "", actions) { OnFailure = onFailure, BeforeEntry = beforeEntry, Protected = isProtected });
        }

        return stages;
    }

    private static List<ActionDefinition> ReadActions(
        ParseContext context,
        Fields fields,
        YamlMappingNode stage,
        int stageIndex,
        string stageLabel,
        string where,
        string? pipelineName,
        Dictionary<string, (YamlNode Node, string StageLabel)> gitActions)
    {
        var actions = new List<ActionDefinition>();
        var list = ReadRequiredList(context, fields, stage, "actions", where, "action", "a name, a type and commands");
        if (list is null)
        {
            return actions;
        }

        // Case-insensitive for the same reason as stage names.
        var seen = new Dictionary<string, YamlNode>(StringComparer.OrdinalIgnoreCase);
        for (var index = 0; index < list.Children.Count; index++)
        {
            var item = list.Children[index];
            if (item is not YamlMappingNode map)
            {
                WrongKind(context, item, $"action {index + 1} {where}", "a mapping with name, type and commands");
                continue;
            }

            var action = ReadAction(context, map, stageIndex, index, stageLabel, seen, pipelineName);
            if (action is null)
            {
                continue;
            }

            // Triggers and pinned revisions tell git actions apart by name alone, across stages.
            if (action.Type == ActionType.Git)
            {
                var nameNode = map.Children[new YamlScalarNode("name")];
                if (gitActions.TryGetValue(action.Name, out var first))
                {
                    context.Report(nameNode,
                        $"duplicate git action name '{action.Name}' in {stageLabel}: the git action in {first.StageLabel} on line {LineOf(first.Node.Start)} has the same name (git actions are told apart by name across the pipeline, ignoring case); rename one of them.");
                    continue;
                }

                gitActions.Add(action.Name, (nameNode, stageLabel));
            }

            actions.Add(action);
        }

        return actions;
    }

    /// <summary>
    /// The stage's <c>protected</c>: as written, except that a stage holding an approval action is
    /// always protected. Were <c>protected: false</c> allowed there, an operator could lift the gate
    /// in one apply and remove it in the next, which is what protection is for.
    /// </summary>
    private static bool ReadStageProtection(ParseContext context, Fields fields, List<ActionDefinition> actions, string stageLabel, string where)
    {
        var written = ReadBool(context, fields, "protected", where);
        var approval = actions.FirstOrDefault(a => a.Type == ActionType.Approval);
        if (approval is not null && written == false)
        {
            context.Report(fields["protected"].Value,
                $"'protected: false' {where} cannot hold: {stageLabel} has approval action '{approval.Name}', and a stage with an approval is always protected, so only an approver or admin may change or remove it; remove 'protected: false'.");
        }

        return written == true || approval is not null;
    }

    /// <summary>
    /// A required, non-empty list: reports it missing (at <paramref name="map"/>), empty, or not a list.
    /// </summary>
    private static YamlSequenceNode? ReadRequiredList(
        ParseContext context, Fields fields, YamlMappingNode map, string key, string where, string itemKind, string itemHint)
    {
        var hint = $"a list of {itemKind}s, each with {itemHint}";
        if (!fields.TryGetValue(key, out var field))
        {
            context.Report(map, $"missing required key '{key}' {where}: add '{key}' with {hint}.");
            return null;
        }

        if (IsNull(field.Value))
        {
            context.Report(field.Key, $"'{key}' {where} is empty: add at least one {itemKind}, each with {itemHint}.");
            return null;
        }

        if (field.Value is not YamlSequenceNode list)
        {
            WrongKind(context, field.Value, $"'{key}' {where}", hint);
            return null;
        }

        if (list.Children.Count == 0)
        {
            context.Report(list, $"'{key}' {where} is empty: add at least one {itemKind}, each with {itemHint}.");
            return null;
        }

        return list;
    }
}
