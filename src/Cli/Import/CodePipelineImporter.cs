using System.Text.Json;

namespace Farm.Cli.Import;

/// <summary>
/// Translates a pipeline declaration as <c>aws codepipeline get-pipeline</c> prints it (or the bare
/// <c>pipeline</c> object) into a Farm pipeline file. What maps directly is written as Farm YAML;
/// what Farm cannot run is written as a container action that fails with a message saying so, under
/// a comment holding its original configuration, and reported as a note: nothing that could pass
/// without doing the work.
/// </summary>
/// <remarks>
/// This file holds the entry point and the pipeline level; the other parts read JSON, stages and
/// actions. One instance serves one import.
/// </remarks>
internal sealed partial class CodePipelineImporter
{
    private const int StageIndent = 4;
    private const int ActionIndent = 8;

    private static readonly Dictionary<string, string> ExecutionModes = new(StringComparer.Ordinal)
    {
        ["SUPERSEDED"] = "superseded",
        ["QUEUED"] = "queued",
        ["PARALLEL"] = "parallel",
    };

    private readonly JsonSource _source;
    private readonly List<ImportError> _errors = [];
    private readonly List<ImportNote> _notes = [];
    private readonly YamlWriter _yaml = new();
    private readonly NameMap _variables = NameMap.ForVariables();
    private readonly NameMap _namespaces = NameMap.ForNamespaces();
    private readonly NameMap _artifacts = NameMap.ForNames("artifact");
    private readonly HashSet<string> _unknownReferences = new(StringComparer.Ordinal);

    private CodePipelineImporter(JsonSource source) => _source = source;

    /// <summary>Translates <paramref name="json"/>. Never throws for bad input: problems come back as errors.</summary>
    public static ImportResult Import(string json)
    {
        using var source = JsonSource.TryParse(json, out var error);
        if (source is null)
        {
            return new ImportResult(null, [], [error!]);
        }

        var importer = new CodePipelineImporter(source);
        importer.ImportPipeline();
        return importer._errors.Count > 0
            ? new ImportResult(null, [], importer._errors)
            : new ImportResult(importer._yaml.ToString(), importer._notes, []);
    }

    private void ImportPipeline()
    {
        var root = _source.Root;
        if (root.ValueKind != JsonValueKind.Object)
        {
            Error("$", $"the file holds {Describe(root)}, not a pipeline: give the JSON object that 'aws codepipeline get-pipeline' prints.");
            return;
        }

        var (pipeline, path) = Get(root, "pipeline") is { ValueKind: JsonValueKind.Object } wrapped
            ? (wrapped, JsonSource.Child("$", "pipeline"))
            : (root, "$");
        var name = RequiredText(pipeline, path, "name", "the pipeline's name");
        var stages = RequiredArray(pipeline, path, "stages", "the pipeline's stages");
        if (name is null || stages is null)
        {
            return;
        }

        var pipelineName = NameMap.ForNames("pipeline").Add(name, "pipeline", _notes);
        DeclareNames(pipeline, stages.Value);
        WriteHeader(pipeline, path, name);
        _yaml.Text(0, "name", pipelineName);
        WriteExecutionMode(pipeline, path);
        WriteVariables(pipeline, path);
        _yaml.Key(0, "stages");
        var stagePath = JsonSource.Child(path, "stages");
        var stageNames = NameMap.ForNames("stage");
        var index = 0;
        foreach (var stage in stages.Value.EnumerateArray())
        {
            WriteStage(stage, JsonSource.Item(stagePath, index++), stageNames);
        }
    }

    /// <summary>
    /// Names that references and input artifacts point at across the pipeline, fixed before any is
    /// written so that a rename follows every reference: variables, namespaces, output artifacts.
    /// </summary>
    private void DeclareNames(JsonElement pipeline, JsonElement stages)
    {
        if (Get(pipeline, "variables") is { ValueKind: JsonValueKind.Array } variables)
        {
            foreach (var variable in variables.EnumerateArray())
            {
                if (TextOf(variable, "name") is { Length: > 0 } name)
                {
                    _variables.Add(name, "pipeline", _notes);
                }
            }
        }

        foreach (var stage in stages.EnumerateArray())
        {
            if (Get(stage, "actions") is not { ValueKind: JsonValueKind.Array } actions)
            {
                continue;
            }

            var stageName = TextOf(stage, "name") ?? "?";
            foreach (var action in actions.EnumerateArray())
            {
                var where = $"{stageName}/{TextOf(action, "name") ?? "?"}";
                if (TextOf(action, "namespace") is { Length: > 0 } ns)
                {
                    _namespaces.Add(ns, where, _notes);
                }

                if (Get(action, "outputArtifacts") is { ValueKind: JsonValueKind.Array } outputs)
                {
                    foreach (var output in outputs.EnumerateArray())
                    {
                        if (TextOf(output, "name") is { Length: > 0 } artifact)
                        {
                            _artifacts.Add(artifact, where, _notes);
                        }
                    }
                }
            }
        }
    }

    private void WriteHeader(JsonElement pipeline, string path, string name)
    {
        var type = OptionalText(pipeline, path, "pipelineType");
        var version = Get(pipeline, "version") is { ValueKind: JsonValueKind.Number } v ? v.GetRawText() : null;
        var facts = string.Join(", ", new[] { type is null ? null : $"pipelineType {type}", version is null ? null : $"version {version}" }
            .Where(f => f is not null));
        _yaml.Comment(0, $"Imported from AWS CodePipeline '{name}'{(facts.Length > 0 ? $" ({facts})" : "")} by 'farm import codepipeline'.");
        var ignored = new[] { "roleArn", "artifactStore", "artifactStores" }.Where(k => Get(pipeline, k) is not null).ToList();
        if (ignored.Count > 0)
        {
            _yaml.Comment(0, $"Not carried over, AWS-only: {string.Join(", ", ignored)}.");
        }

        if (Get(pipeline, "triggers") is { ValueKind: JsonValueKind.Array } triggers && triggers.GetArrayLength() > 0)
        {
            _yaml.Comment(0, "Not carried over: triggers (Farm starts executions with 'farm start').");
            _notes.Add(new ImportNote("pipeline",
                $"{triggers.GetArrayLength()} trigger(s) not carried over: Farm has no triggers yet; start executions with 'farm start'"));
        }
    }

    private void WriteExecutionMode(JsonElement pipeline, string path)
    {
        var mode = OptionalText(pipeline, path, "executionMode");
        if (mode is null)
        {
            return;
        }

        if (ExecutionModes.TryGetValue(mode, out var farmMode))
        {
            _yaml.Word(0, "executionMode", farmMode);
        }
        else
        {
            _notes.Add(new ImportNote("pipeline", $"executionMode '{mode}' is unknown; left out, so Farm's default (superseded) applies"));
        }
    }

    private void WriteVariables(JsonElement pipeline, string path)
    {
        var variables = OptionalArray(pipeline, path, "variables");
        if (variables is null || variables.Value.GetArrayLength() == 0)
        {
            return;
        }

        _yaml.Key(0, "variables");
        var listPath = JsonSource.Child(path, "variables");
        var index = 0;
        foreach (var variable in variables.Value.EnumerateArray())
        {
            var itemPath = JsonSource.Item(listPath, index++);
            if (!IsObject(variable, itemPath, "a variable"))
            {
                continue;
            }

            var name = RequiredText(variable, itemPath, "name", "the variable's name");
            if (name is null)
            {
                continue;
            }

            _yaml.Item();
            _yaml.Text(4, "name", _variables.Lookup(name));
            if (OptionalText(variable, itemPath, "defaultValue") is { } value)
            {
                _yaml.Text(4, "default", Rewrite(value, "pipeline"));
            }

            if (OptionalText(variable, itemPath, "description") is { Length: > 0 } description)
            {
                _yaml.Text(4, "description", description);
            }
        }
    }

    /// <summary>
    /// <paramref name="text"/> with CodePipeline references made Farm's: <c>#{codepipeline.PipelineExecutionId}</c>
    /// becomes <c>#{execution.id}</c>; <c>#{variables.x}</c> and <c>#{Namespace.key}</c> stay, following renames.
    /// </summary>
    private string Rewrite(string text, string where)
    {
        if (!text.Contains("#{", StringComparison.Ordinal))
        {
            return text;
        }

        return References().Replace(text, match =>
        {
            var name = match.Groups[1].Value;
            if (name == "codepipeline.PipelineExecutionId")
            {
                return "#{execution.id}";
            }

            var dot = name.IndexOf('.', StringComparison.Ordinal);
            if (dot <= 0)
            {
                return match.Value;
            }

            var (prefix, key) = (name[..dot], name[(dot + 1)..]);
            if (prefix == "variables")
            {
                return $"#{{variables.{_variables.Lookup(key)}}}";
            }

            if (prefix == "codepipeline" || !_namespaces.Contains(prefix))
            {
                if (_unknownReferences.Add(name))
                {
                    _notes.Add(new ImportNote(where,
                        $"reference #{{{name}}} has no Farm equivalent; kept as written, and Farm will refuse it until you change it"));
                }

                return match.Value;
            }

            return $"#{{{_namespaces.Lookup(prefix)}.{key}}}";
        });
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"#\{([^}]*)\}", System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex References();
}
