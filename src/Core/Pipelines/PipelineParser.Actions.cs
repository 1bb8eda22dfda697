using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Farm.Core.Pipelines;

/// <summary>Reading one action: the fields every type has, then the fields of its type.</summary>
public static partial class PipelineParser
{
    private const int MinRunOrder = 1;
    private const int MaxRunOrder = 999;

    private const string ReservedEnvPrefix = "FARM_";

    // The keys each type takes, in the order messages list them. A key that another type takes is
    // reported, not ignored: a silently ignored image would run the commands on the host instead.
    private static readonly Dictionary<ActionType, string[]> KeysByType = new()
    {
        [ActionType.Container] =
            ["name", "type", "image", "pull", "registry", "commands", "env", "runOrder", "runsOn", "timeout", "network", "namespace", "inputArtifacts", "outputArtifacts", "retry", "resources"],
        [ActionType.Shell] =
            ["name", "type", "commands", "env", "runOrder", "runsOn", "timeout", "namespace", "inputArtifacts", "outputArtifacts", "retry"],
        [ActionType.Git] =
            ["name", "type", "repository", "branch", "tag", "commit", "depth", "webUrl", "runOrder", "runsOn", "timeout", "namespace", "outputArtifacts", "retry"],
        [ActionType.Approval] = ["name", "type", "message", "reviewUrl", "runOrder", "timeout"],
        [ActionType.Http] =
            ["name", "type", "url", "method", "headers", "body", "expectedStatus", "outputs", "runOrder", "runsOn", "timeout", "namespace", "retry"],
        [ActionType.Pipeline] = ["name", "type", "pipeline", "variables", "wait", "runOrder", "timeout", "namespace"],
        [ActionType.ImageBuild] =
            ["name", "type", "tags", "dockerfile", "context", "buildArgs", "push", "registry", "network", "runOrder", "runsOn", "timeout", "namespace", "inputArtifacts", "retry"],
        [ActionType.ContainerDeploy] =
            ["name", "type", "environment", "service", "image", "pull", "registry", "env", "ports", "volumes", "restart", "health", "network", "resources", "runOrder", "runsOn", "timeout", "namespace", "retry"],
    };

    // Every key some type takes; what an action of unknown type may hold.
    private static readonly string[] ActionKeys = KeysByType.Values.SelectMany(keys => keys).Distinct(StringComparer.Ordinal).ToArray();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex EnvKeyPattern();

    [GeneratedRegex("^[A-Za-z0-9_.=:/-]{1,100}$", RegexOptions.CultureInvariant)]
    private static partial Regex LabelPattern();

    // Docker's own rule for network names.
    [GeneratedRegex("^[a-zA-Z0-9][a-zA-Z0-9_.-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex NetworkPattern();

    /// <summary>One action; null when it lacks a usable name or type (already reported).</summary>
    private static ActionDefinition? ReadAction(
        ParseContext context, YamlMappingNode map, int stageIndex, int index, string stageLabel, Dictionary<string, YamlNode> seen, string? pipelineName)
    {
        var peeked = PeekName(map);
        var label = peeked is null ? $"action {index + 1} of {stageLabel}" : $"action '{peeked}' of {stageLabel}";
        var where = "in " + label;

        // The type decides which keys are allowed, so it is looked at before the keys are read;
        // an unknown type is reported below, and the keys are then checked against every type's.
        ActionType? peekedType = PeekScalar(map, "type") is { } typeText && ActionTypes.ByName.TryGetValue(typeText, out var known) ? known : null;
        var allowed = peekedType is { } t ? KeysByType[t] : ActionKeys;
        var fields = ReadKeys(context, map, allowed, where, accepted: ActionKeys);

        var name = ReadName(context, fields, map, "action", where);
        if (name is not null)
        {
            var nameNode = fields["name"].Value;
            if (seen.TryGetValue(name, out var first))
            {
                var firstName = ((YamlScalarNode)first).Value;
                context.Report(nameNode,
                    $"duplicate action name '{name}' in {stageLabel}: action '{firstName}' on line {LineOf(first.Start)} has the same name (names are compared ignoring case within a stage); rename one of them.");
            }
            else
            {
                seen.Add(name, nameNode);
            }
        }

        // The run order first: references and input artifacts are checked against where the action runs.
        var runOrder = ReadRunOrder(context, fields, where);
        var position = new RunPosition(stageIndex, stageLabel, runOrder, index);
        var actionName = name ?? $"action {index + 1}";
        var type = ReadType(context, fields, map, where);
        if (type is not null)
        {
            ReportKeysOfOtherTypes(context, fields, type.Value, where);
        }

        // Keys another type takes were reported above; reading only this type's keys keeps one
        // mistake to one message. With an unknown type, what is there is still read, so that its
        // namespace and artifacts do not show up as missing elsewhere, but nothing is required.
        bool Takes(string key) => type is null ? fields.ContainsKey(key) : KeysByType[type.Value].Contains(key);

        var action = new ActionDefinition
        {
            Name = name ?? "",
            Type = type ?? ActionType.Shell,
            RunOrder = runOrder,
            RunsOn = Takes("runsOn") ? ReadLabels(context, fields, where) : [],
            Timeout = type == ActionType.Approval
                ? ReadTimeout(context, fields, where, ApprovalSettings.DefaultTimeout, MaxApprovalTimeout)
                : ReadTimeout(context, fields, where, ActionDefinition.DefaultTimeout, MaxTimeout),
            Env = Takes("env") ? ReadEnv(context, fields, where, position) : new Dictionary<string, string>(),
            Commands = Takes("commands") ? ReadCommands(context, fields, map, where, position) : [],
            Image = Takes("image") ? ReadImage(context, fields, map, where, position) : null,
            Network = Takes("network") ? ReadNetwork(context, fields, where, position) : null,
            Namespace = Takes("namespace") ? ReadNamespace(context, fields, where, actionName, position) : null,
            InputArtifacts = Takes("inputArtifacts") ? ReadInputArtifacts(context, fields, where, position) : [],
            OutputArtifacts = type == ActionType.Git
                ? ReadGitOutputArtifact(context, fields, map, label, actionName, position)
                : Takes("outputArtifacts") ? ReadOutputArtifacts(context, fields, label, actionName, position) : [],
            Git = type == ActionType.Git ? ReadGitSource(context, fields, map, where) : null,
            Approval = type == ActionType.Approval ? ReadApproval(context, fields, where, position) : null,
            Http = type == ActionType.Http ? ReadHttp(context, fields, map, where, position) : null,
            Invoke = type == ActionType.Pipeline ? ReadInvocation(context, fields, map, where, position, pipelineName) : null,
            Retry = Takes("retry") ? ReadRetry(context, fields, where) : RetryPolicy.None,
            Resources = Takes("resources") ? ReadResources(context, fields, where) : null,
            Pull = Takes("pull") ? ReadPull(context, fields, where) : PullPolicy.IfNotPresent,
            Registry = Takes("registry") ? ReadRegistry(context, fields, where, position) : null,
            Build = type == ActionType.ImageBuild ? ReadImageBuild(context, fields, map, where, position) : null,
            Deploy = type == ActionType.ContainerDeploy ? ReadDeploy(context, fields, map, where, position) : null,
        };

        if (action.Http is { Outputs.Count: > 0 } && action.Namespace is null && !fields.ContainsKey("namespace"))
        {
            context.Report(fields["outputs"].Key,
                $"'outputs' {where} needs a namespace to be used: add e.g. 'namespace: {SuggestNamespace(actionName)}', and later actions read them as #{{{SuggestNamespace(actionName)}.NAME}}.");
        }

        return name is null || type is null ? null : action;
    }

    /// <summary>A namespace to propose in messages: the action's name when it follows the namespace rule.</summary>
    private static string SuggestNamespace(string actionName) => NamespacePattern().IsMatch(actionName) ? actionName : "response";

    /// <summary>Reports each key of <paramref name="fields"/> that another action type takes, but this one does not.</summary>
    private static void ReportKeysOfOtherTypes(ParseContext context, Fields fields, ActionType type, string where)
    {
        var typeName = TypeName(type);
        foreach (var (key, field) in fields)
        {
            if (KeysByType[type].Contains(key))
            {
                continue;
            }

            var takers = KeysByType.Where(entry => entry.Value.Contains(key)).Select(entry => TypeName(entry.Key)).ToList();
            var fix = key == "runsOn" && type.RunsInController()
                ? $"; {typeName} actions run in the controller, not on an agent"
                : takers.Count == 1
                    ? $", or use type: {takers[0]}"
                    : $"; only {JoinAnd(takers)} actions take it";
            context.Report(field.Key, $"{typeName} actions do not take '{key}' ({where}): remove it{fix}.");
        }
    }

    /// <summary>The type as the file writes it.</summary>
    private static string TypeName(ActionType type) => type.Name();

    /// <summary><c>a, b and c</c>.</summary>
    private static string JoinAnd(IReadOnlyList<string> items) =>
        items.Count <= 1 ? string.Join("", items) : $"{string.Join(", ", items.Take(items.Count - 1))} and {items[^1]}";

    private static ActionType? ReadType(ParseContext context, Fields fields, YamlMappingNode map, string where)
    {
        var known = string.Join(", ", ActionTypes.ByName.Keys);
        var text = ReadRequiredText(context, fields, map, "type", where, $"one of {known}");
        if (text is null)
        {
            return null;
        }

        if (ActionTypes.ByName.TryGetValue(text, out var type))
        {
            return type;
        }

        var suggestion = Closest(text, ActionTypes.ByName.Keys);
        var fix = suggestion is null ? $"use one of {known}." : $"did you mean '{suggestion}'? Known types are {known}.";
        context.Report(fields["type"].Value, $"unknown action type '{Shorten(text)}' {where}: {fix}");
        return null;
    }

    /// <summary>A list of commands, or one scalar taken as a single command.</summary>
    private static List<string> ReadCommands(
        ParseContext context, Fields fields, YamlMappingNode map, string where, RunPosition position)
    {
        var commands = new List<string>();
        if (!fields.TryGetValue("commands", out var field))
        {
            context.Report(map, $"missing required key 'commands' {where}: add 'commands' with a list of commands to run.");
            return commands;
        }

        if (IsNull(field.Value))
        {
            context.Report(field.Key, $"'commands' {where} is empty: add at least one command to run.");
            return commands;
        }

        var items = field.Value switch
        {
            YamlSequenceNode list => list.Children,
            YamlScalarNode scalar => [scalar],
            _ => null,
        };
        if (items is null)
        {
            WrongKind(context, field.Value, $"'commands' {where}", "a list of commands");
            return commands;
        }

        if (items.Count == 0)
        {
            context.Report(field.Value, $"'commands' {where} is empty: add at least one command to run.");
            return commands;
        }

        for (var index = 0; index < items.Count; index++)
        {
            var item = items[index];
            var what = $"command {index + 1}";
            if (item is not YamlScalarNode scalar)
            {
                // Usually an unquoted command holding ': ', which YAML reads as a mapping.
                WrongKind(context, item, $"{what} {where}", "text (quote a command that contains ': ')");
                continue;
            }

            var command = IsNull(scalar) ? "" : scalar.Value ?? "";
            if (string.IsNullOrWhiteSpace(command))
            {
                context.Report(item, $"{what} {where} is empty: write the command, or remove the item.");
                continue;
            }

            CheckReferences(context, item, command, what, where, position);
            commands.Add(command);
        }

        return commands;
    }

    /// <summary>Environment variables in file order; numbers and booleans keep the text written.</summary>
    private static Dictionary<string, string> ReadEnv(ParseContext context, Fields fields, string where, RunPosition position)
    {
        // Dictionary keeps insertion order while nothing is removed, which gives file order.
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!fields.TryGetValue("env", out var field) || IsNull(field.Value))
        {
            return env;
        }

        if (field.Value is not YamlMappingNode map)
        {
            WrongKind(context, field.Value, $"'env' {where}", "a mapping of NAME: value");
            return env;
        }

        foreach (var (keyNode, valueNode) in map.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { } key })
            {
                WrongKind(context, keyNode, $"an env key {where}", "a plain name");
                continue;
            }

            if (!EnvKeyPattern().IsMatch(key))
            {
                context.Report(keyNode,
                    $"invalid env key '{Shorten(key)}' {where}: start it with a letter or '_' and use only letters, digits and '_'.");
            }
            else if (key.StartsWith(ReservedEnvPrefix, StringComparison.Ordinal))
            {
                context.Report(keyNode,
                    $"env key '{key}' {where} is reserved: names starting with {ReservedEnvPrefix} are set by Farm; rename it.");
            }

            if (valueNode is not YamlScalarNode scalar)
            {
                context.Report(valueNode,
                    $"env value of '{key}' {where} must be a single value, not {Describe(valueNode)}; quote it if it is meant as text.");
                continue;
            }

            var value = IsNull(scalar) ? "" : scalar.Value ?? "";
            CheckReferences(context, valueNode, value, $"env '{key}'", where, position, secretsAllowed: true);
            env[key] = value;
        }

        return env;
    }

    private static int ReadRunOrder(ParseContext context, Fields fields, string where)
    {
        var text = ReadOptionalText(context, fields, "runOrder", where);
        if (text is null)
        {
            return MinRunOrder;
        }

        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var runOrder)
            || runOrder is < MinRunOrder or > MaxRunOrder)
        {
            context.Report(fields["runOrder"].Value,
                $"runOrder '{Shorten(text)}' {where} is not valid: use a whole number from {MinRunOrder} to {MaxRunOrder}.");
            return MinRunOrder;
        }

        return runOrder;
    }

    /// <summary>A list of labels, or one scalar taken as a single label.</summary>
    private static List<string> ReadLabels(ParseContext context, Fields fields, string where)
    {
        var labels = new List<string>();
        if (!fields.TryGetValue("runsOn", out var field) || IsNull(field.Value))
        {
            return labels;
        }

        var items = field.Value switch
        {
            YamlSequenceNode list => list.Children,
            YamlScalarNode scalar => [scalar],
            _ => null,
        };
        if (items is null)
        {
            WrongKind(context, field.Value, $"'runsOn' {where}", "a list of labels");
            return labels;
        }

        foreach (var item in items)
        {
            var label = ReadText(context, item, $"a label in 'runsOn' {where}");
            if (label is null)
            {
                continue;
            }

            if (!LabelPattern().IsMatch(label))
            {
                context.Report(item,
                    $"invalid label '{Shorten(label)}' in 'runsOn' {where}: use 1-100 letters, digits, '-', '_', '.', '=', ':' or '/'.");
                continue;
            }

            labels.Add(label);
        }

        return labels;
    }

    private static TimeSpan ReadTimeout(ParseContext context, Fields fields, string where, TimeSpan defaultTimeout, TimeSpan maxTimeout)
    {
        var text = ReadOptionalText(context, fields, "timeout", where);
        if (text is null)
        {
            return defaultTimeout;
        }

        var node = fields["timeout"].Value;
        if (!Duration.TryParse(text, out var timeout))
        {
            context.Report(node,
                $"invalid timeout '{Shorten(text)}' {where}: write a duration like 90s, 10m, 1h30m or a whole number of seconds.");
            return defaultTimeout;
        }

        if (timeout < MinTimeout || timeout > maxTimeout)
        {
            context.Report(node,
                $"timeout '{text}' {where} is out of range: use between {Duration.Format(MinTimeout)} and {Duration.Format(maxTimeout)}.");
            return defaultTimeout;
        }

        return timeout;
    }

    private static string? ReadImage(
        ParseContext context, Fields fields, YamlMappingNode map, string where, RunPosition position)
    {
        var image = ReadRequiredText(context, fields, map, "image", where,
            "the image to run, e.g. alpine:3.20");
        if (image is null)
        {
            return null;
        }

        var node = fields["image"].Value;
        CheckReferences(context, node, image, "image", where, position);

        // An image with a reference is only known at dispatch; the agent's pull reports it then.
        if (!image.Contains("#{", StringComparison.Ordinal) && !ImageReference.TryValidate(image, out var error))
        {
            context.Report(node, $"invalid image '{Shorten(image)}' {where}: {error}.");
        }

        return image;
    }

    private static string? ReadNetwork(ParseContext context, Fields fields, string where, RunPosition position)
    {
        var network = ReadOptionalText(context, fields, "network", where);
        if (string.IsNullOrEmpty(network))
        {
            return null;
        }

        var node = fields["network"].Value;
        CheckReferences(context, node, network, "network", where, position);
        if (!network.Contains("#{", StringComparison.Ordinal) && !NetworkPattern().IsMatch(network))
        {
            context.Report(node,
                $"invalid network '{Shorten(network)}' {where}: a Docker network name starts with a letter or digit, followed by letters, digits, '_', '.' or '-'.");
        }

        return network;
    }
}
