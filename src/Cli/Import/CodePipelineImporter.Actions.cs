using System.Text.Json;
using System.Text.RegularExpressions;

namespace Farm.Cli.Import;

/// <summary>
/// Actions: <c>Commands</c> compute actions become container actions; every other provider, manual
/// approvals and source actions included, becomes a container action that fails until edited.
/// </summary>
internal sealed partial class CodePipelineImporter
{
    /// <summary>The image Farm makes locally from busybox-static; used where CodePipeline names none.</summary>
    public const string FallbackImage = "farm/busybox";

    private const int MinTimeoutMinutes = 1;
    private const int MaxTimeoutMinutes = 24 * 60;

    // Configuration keys of a Commands action that the translation uses; others are listed as not carried.
    private static readonly string[] CommandsKeys = ["Commands", "Image", "EnvironmentVariables", "OutputVariables"];

    // Where Farm has no equivalent yet, a line on what to put in the failing action's place.
    private static readonly Dictionary<string, string> Hints = new(StringComparer.Ordinal)
    {
        ["CodeBuild"] = "move the project's buildspec commands into 'commands', with an image that has its tools",
        ["CloudFormation"] = "run 'aws cloudformation deploy' in an image with the AWS CLI and credentials",
        ["Lambda"] = "do the function's work in 'commands', or call it with 'aws lambda invoke'",
        ["S3"] = "copy with 'aws s3 cp' or 'aws s3 sync' in an image with the AWS CLI",
        ["ECS"] = "update the service with 'aws ecs update-service' in an image with the AWS CLI",
        ["CodeDeploy"] = "start the deployment with 'aws deploy create-deployment' in an image with the AWS CLI",
    };

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex EnvName();

    // Characters kept from a provider name inside the failing command's double-quoted message.
    [GeneratedRegex("[^A-Za-z0-9 ._-]", RegexOptions.CultureInvariant)]
    private static partial Regex UnsafeInMessage();

    private void WriteAction(JsonElement action, string path, string stageName, NameMap actionNames)
    {
        if (!IsObject(action, path, "an action"))
        {
            return;
        }

        var raw = RequiredText(action, path, "name", "the action's name");
        var typeId = Get(action, "actionTypeId") is null
            ? Missing(path, "actionTypeId", "the action's category and provider")
            : OptionalObject(action, path, "actionTypeId");
        if (raw is null || typeId is null)
        {
            return;
        }

        var typePath = JsonSource.Child(path, "actionTypeId");
        var declared = new ActionDeclaration(
            Name: actionNames.Add(raw, $"{stageName}/{raw}", _notes),
            Category: RequiredText(typeId.Value, typePath, "category", "the action's category") ?? "",
            Owner: OptionalText(typeId.Value, typePath, "owner") ?? "",
            Provider: RequiredText(typeId.Value, typePath, "provider", "the action's provider") ?? "",
            Version: OptionalText(typeId.Value, typePath, "version") ?? "",
            RunOrder: OptionalNumber(action, path, "runOrder"),
            TimeoutMinutes: OptionalNumber(action, path, "timeoutInMinutes"),
            Namespace: OptionalText(action, path, "namespace"),
            Region: OptionalText(action, path, "region"),
            RoleArn: OptionalText(action, path, "roleArn"),
            Inputs: Names(action, path, "inputArtifacts"),
            Configuration: StringMap(action, path, "configuration"));
        var where = $"{stageName}/{declared.Name}";
        var outputs = OutputArtifacts(action, path);

        if (declared.Provider == "Commands" && declared.Category == "Compute")
        {
            var commands = Texts(action, path, "commands");
            if (commands.Count == 0 && declared.Config("Commands") is { } configured)
            {
                commands = SplitList(configured);
            }

            if (commands.Count > 0)
            {
                WriteCommandsAction(action, path, declared, outputs, commands, where);
                return;
            }

            _notes.Add(new ImportNote(where, "Commands action without commands; written as a failing container action to fill in"));
            WriteFailingAction(declared, outputs, where, "");
            return;
        }

        var message = $"{declared.Provider} ({declared.Category}) has no Farm equivalent; written as a failing container action to fill in";
        if (declared.Category == "Approval")
        {
            message = "approval actions arrive with issue 4; kept as a comment, above a failing container action that stops executions where the approval was";
        }
        else if (declared.Category == "Source")
        {
            message += "; source actions arrive with issue 4 (type: git)";
        }

        _notes.Add(new ImportNote(where, message));
        WriteFailingAction(declared, outputs, where, message);
    }

    private void WriteCommandsAction(
        JsonElement action, string path, ActionDeclaration declared, List<(string Name, List<string> Paths)> outputs, List<string> commands, string where)
    {
        var image = declared.Config("Image");
        if (image is null || image.StartsWith("aws/codebuild/", StringComparison.Ordinal))
        {
            _notes.Add(new ImportNote(where, image is null
                ? $"CodePipeline ran these commands in CodeBuild's managed Linux image; written with image {FallbackImage}, which has busybox tools only: set an image with the tools they need"
                : $"image '{image}' is a CodeBuild-managed image, not one a registry serves; written with image {FallbackImage}: set an image with the tools the commands need"));
            image = FallbackImage;
        }

        var env = new List<KeyValuePair<string, string>>();
        var notCarried = new List<string>();
        foreach (var variable in EnvironmentVariables(action, path, declared))
        {
            if (variable.Type is not (null or "PLAINTEXT"))
            {
                notCarried.Add($"env {variable.Name} ({variable.Type}: {Secrets.Redact("secret", variable.Value)})");
                _notes.Add(new ImportNote(where,
                    $"env {variable.Name} comes from {variable.Type} in CodePipeline; not carried over, as Farm has no secret store yet: provide it on the agent or in the image"));
                continue;
            }

            if (!EnvName().IsMatch(variable.Name) || variable.Name.StartsWith("FARM_", StringComparison.Ordinal))
            {
                notCarried.Add($"env {variable.Name}={variable.Value}");
                _notes.Add(new ImportNote(where, $"env name '{variable.Name}' is not allowed in Farm (letters, digits and '_', not starting with FARM_); not carried over"));
                continue;
            }

            env.Add(new(variable.Name, Rewrite(variable.Value, where)));
        }

        var outputVariables = Texts(action, path, "outputVariables");
        if (outputVariables.Count == 0 && declared.Config("OutputVariables") is { } configured)
        {
            outputVariables = SplitList(configured);
        }

        foreach (var invalid in outputVariables.Where(v => !EnvName().IsMatch(v)).ToList())
        {
            outputVariables.Remove(invalid);
            _notes.Add(new ImportNote(where, $"output variable '{invalid}' is not a shell variable name; not exported"));
        }

        foreach (var (key, value) in declared.Configuration.Where(p => !CommandsKeys.Contains(p.Key)))
        {
            notCarried.Add($"{key}: {Secrets.Redact(key, value)}");
        }

        if (declared.Configuration.Any(p => !CommandsKeys.Contains(p.Key)))
        {
            _notes.Add(new ImportNote(where,
                $"configuration not carried over: {string.Join(", ", declared.Configuration.Where(p => !CommandsKeys.Contains(p.Key)).Select(p => p.Key))} (kept as a comment)"));
        }

        foreach (var fact in new[] { ("region", declared.Region), ("roleArn", declared.RoleArn) })
        {
            if (fact.Item2 is not null)
            {
                notCarried.Add($"{fact.Item1}: {fact.Item2}");
            }
        }

        // Farm runs an action's commands as one shell script, as CodeBuild does, so exports and cd
        // carry from one command to the next; output variables are written to $FARM_OUTPUT last.
        var rewritten = commands.Select(c => Rewrite(c, where))
            .Concat(outputVariables.Select(v => $"printf '%s=%s\\n' {v} \"${{{v}}}\" >> \"$FARM_OUTPUT\""))
            .ToList();
        if (notCarried.Count > 0)
        {
            _yaml.Comment(StageIndent + 2, $"From CodePipeline, not carried over: {string.Join("; ", notCarried)}");
        }

        WriteActionHead(declared, image, outputs, where, skipWildcardNote: false);
        if (env.Count > 0)
        {
            _yaml.Key(ActionIndent, "env");
            foreach (var (name, value) in env)
            {
                _yaml.Text(ActionIndent + 2, name, value);
            }
        }

        _yaml.Key(ActionIndent, "commands");
        foreach (var command in rewritten)
        {
            _yaml.TextItem(ActionIndent, command);
        }
    }

    /// <summary>
    /// An action Farm cannot run as it is: its CodePipeline declaration as a comment, then a
    /// container action whose one command fails saying so. Artifacts and namespace are kept, so the
    /// actions after it still read as they did.
    /// </summary>
    private void WriteFailingAction(ActionDeclaration declared, List<(string Name, List<string> Paths)> outputs, string where, string reason)
    {
        _yaml.Comment(StageIndent + 2,
            $"CodePipeline action: {declared.Provider} (category {declared.Category}, owner {declared.Owner}, version {declared.Version})"
            + (declared.Region is null ? "" : $", region {declared.Region}") + ".");
        if (reason.Length > 0)
        {
            _yaml.Comment(StageIndent + 2, "Farm: " + reason + ".");
        }

        if (declared.RoleArn is not null)
        {
            _yaml.Comment(StageIndent + 2, $"roleArn: {declared.RoleArn}");
        }

        if (declared.Configuration.Count > 0)
        {
            _yaml.Comment(StageIndent + 2, "configuration:");
            foreach (var (key, value) in declared.Configuration)
            {
                _yaml.Comment(StageIndent + 2, $"  {key}: {Secrets.Redact(key, value)}");
            }
        }

        if (Hints.TryGetValue(declared.Provider, out var hint))
        {
            _yaml.Comment(StageIndent + 2, $"To do: {hint}.");
        }

        WriteActionHead(declared, FallbackImage, outputs, where, skipWildcardNote: true);
        var provider = UnsafeInMessage().Replace(declared.Provider, "");
        _yaml.Key(ActionIndent, "commands");
        _yaml.TextItem(ActionIndent,
            $"echo \"Imported from CodePipeline: {provider} action needs a Farm equivalent; edit this action.\" >&2; exit 1");
    }

    /// <summary>The keys every imported action has, in the order a person reads them: name, type, image, when, artifacts.</summary>
    private void WriteActionHead(
        ActionDeclaration declared, string image, List<(string Name, List<string> Paths)> outputs, string where, bool skipWildcardNote)
    {
        _yaml.Item();
        _yaml.Text(ActionIndent, "name", declared.Name);
        _yaml.Word(ActionIndent, "type", "container");
        _yaml.Text(ActionIndent, "image", image);
        if (declared.RunOrder is { } runOrder && runOrder != 1)
        {
            if (runOrder is >= 1 and <= 999)
            {
                _yaml.Number(ActionIndent, "runOrder", runOrder);
            }
            else
            {
                _notes.Add(new ImportNote(where, $"runOrder {runOrder} is outside 1-999; left out (1)"));
            }
        }

        if (declared.TimeoutMinutes is { } minutes)
        {
            if (minutes is >= MinTimeoutMinutes and <= MaxTimeoutMinutes)
            {
                _yaml.Word(ActionIndent, "timeout", $"{minutes}m");
            }
            else
            {
                _notes.Add(new ImportNote(where, $"timeoutInMinutes {minutes} is outside Farm's 1m-24h; left out (60m)"));
            }
        }

        if (declared.Namespace is { Length: > 0 } ns)
        {
            _yaml.Text(ActionIndent, "namespace", _namespaces.Lookup(ns));
        }

        if (declared.Inputs.Count > 0)
        {
            _yaml.Key(ActionIndent, "inputArtifacts");
            foreach (var input in declared.Inputs)
            {
                _yaml.TextItem(ActionIndent, _artifacts.Lookup(input));
            }
        }

        if (outputs.Count > 0)
        {
            _yaml.Key(ActionIndent, "outputArtifacts");
            foreach (var (name, paths) in outputs)
            {
                _yaml.Item();
                _yaml.Text(ActionIndent + 4, "name", _artifacts.Lookup(name));
                _yaml.Key(ActionIndent + 4, "paths");
                if (paths.Count == 0)
                {
                    _yaml.TextItem(ActionIndent + 4, "**");
                    if (!skipWildcardNote)
                    {
                        _notes.Add(new ImportNote(where,
                            $"output artifact '{name}' lists no files; written as paths ['**'], the whole workspace, as CodePipeline stores it"));
                    }
                }

                foreach (var file in paths)
                {
                    _yaml.TextItem(ActionIndent + 4, file);
                }
            }
        }
    }

    private List<(string Name, List<string> Paths)> OutputArtifacts(JsonElement action, string path)
    {
        var outputs = new List<(string, List<string>)>();
        if (OptionalArray(action, path, "outputArtifacts") is not { } list)
        {
            return outputs;
        }

        var index = 0;
        foreach (var item in list.EnumerateArray())
        {
            var itemPath = JsonSource.Item(JsonSource.Child(path, "outputArtifacts"), index++);
            if (IsObject(item, itemPath, "an artifact") && RequiredText(item, itemPath, "name", "the artifact's name") is { } name)
            {
                outputs.Add((name, Texts(item, itemPath, "files")));
            }
        }

        return outputs;
    }

    /// <summary>
    /// The action's <c>environmentVariables</c> ([{name, value, type}]), or the same list as JSON
    /// text under configuration <c>EnvironmentVariables</c>, as CodeBuild actions write it.
    /// </summary>
    private List<(string Name, string Value, string? Type)> EnvironmentVariables(JsonElement action, string path, ActionDeclaration declared)
    {
        var variables = new List<(string, string, string?)>();
        var listPath = JsonSource.Child(path, "environmentVariables");
        JsonElement? list = OptionalArray(action, path, "environmentVariables");
        JsonDocument? parsed = null;
        try
        {
            if (list is null && declared.Config("EnvironmentVariables") is { } text)
            {
                listPath = JsonSource.Child(JsonSource.Child(path, "configuration"), "EnvironmentVariables");
                try
                {
                    parsed = JsonDocument.Parse(text);
                    list = parsed.RootElement.ValueKind == JsonValueKind.Array ? parsed.RootElement : null;
                }
                catch (JsonException)
                {
                    list = null;
                }

                if (list is null)
                {
                    Error(listPath, "configuration EnvironmentVariables must be a JSON list of {\"name\", \"value\", \"type\"} objects.");
                    return variables;
                }
            }

            foreach (var item in list?.EnumerateArray().ToList() ?? [])
            {
                if (TextOf(item, "name") is { Length: > 0 } name)
                {
                    variables.Add((name, TextOf(item, "value") ?? "", TextOf(item, "type")));
                }
                else
                {
                    Error(listPath, "each environment variable needs a 'name'.");
                }
            }

            return variables;
        }
        finally
        {
            parsed?.Dispose();
        }
    }

    private JsonElement? Missing(string path, string key, string what)
    {
        Error(path, $"missing '{key}' ({what}): the input does not look like the output of 'aws codepipeline get-pipeline'.");
        return null;
    }

    /// <summary>A list given as JSON array text (<c>["a","b"]</c>) or as one item per line.</summary>
    private static List<string> SplitList(string text)
    {
        var trimmed = text.Trim();
        if (trimmed.StartsWith('['))
        {
            try
            {
                using var document = JsonDocument.Parse(trimmed);
                if (document.RootElement.ValueKind == JsonValueKind.Array
                    && document.RootElement.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String))
                {
                    return document.RootElement.EnumerateArray().Select(e => e.GetString() ?? "").Where(c => c.Trim().Length > 0).ToList();
                }
            }
            catch (JsonException)
            {
                // Not JSON after all: a command that starts with '[' (a test), read as lines.
            }
        }

        return text.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Trim().Length > 0).ToList();
    }
}
