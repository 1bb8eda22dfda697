using System.Text.Json;

namespace Farm.Cli.Import;

/// <summary>Stages: name, <c>onFailure</c>, <c>beforeEntry</c> and the actions list.</summary>
internal sealed partial class CodePipelineImporter
{
    private static readonly Dictionary<string, string> RuleOperators = new(StringComparer.Ordinal)
    {
        ["EQ"] = "equals",
        ["NE"] = "notEquals",
        ["CONTAINS"] = "contains",
        ["MATCHES"] = "matches",
    };

    private void WriteStage(JsonElement stage, string path, NameMap stageNames)
    {
        if (!IsObject(stage, path, "a stage"))
        {
            return;
        }

        var raw = RequiredText(stage, path, "name", "the stage's name");
        var actions = RequiredArray(stage, path, "actions", "at least one action");
        if (raw is null || actions is null)
        {
            return;
        }

        var name = stageNames.Add(raw, raw, _notes);
        _yaml.Item();
        _yaml.Text(StageIndent, "name", name);
        WriteOnFailure(stage, path, name);
        WriteBeforeEntry(stage, path, name);
        foreach (var ignored in new[] { "onSuccess" }.Where(k => Get(stage, k) is not null))
        {
            _yaml.Comment(StageIndent, $"Not carried over: {ignored} conditions ({Compact(Get(stage, ignored)!.Value)}).");
            _notes.Add(new ImportNote(name, $"{ignored} conditions are not carried over: Farm has no exit conditions"));
        }

        _yaml.Key(StageIndent, "actions");
        var actionNames = NameMap.ForNames("action");
        var actionsPath = JsonSource.Child(path, "actions");
        var index = 0;
        foreach (var action in actions.Value.EnumerateArray())
        {
            WriteAction(action, JsonSource.Item(actionsPath, index++), name, actionNames);
        }
    }

    private void WriteOnFailure(JsonElement stage, string path, string stageName)
    {
        if (OptionalObject(stage, path, "onFailure") is not { } onFailure)
        {
            return;
        }

        var failurePath = JsonSource.Child(path, "onFailure");
        var result = OptionalText(onFailure, failurePath, "result");
        switch (result)
        {
            case "FAIL":
                _yaml.Word(StageIndent, "onFailure", "fail");
                break;
            case "ROLLBACK":
                _yaml.Word(StageIndent, "onFailure", "rollback");
                break;
            case "RETRY":
                // CodePipeline retries a stage once, automatically, on failure.
                var mode = Get(onFailure, "retryConfiguration") is { } retry ? TextOf(retry, "retryMode") : null;
                _yaml.Key(StageIndent, "onFailure");
                _yaml.Word(StageIndent + 2, "result", "retry");
                _yaml.Number(StageIndent + 2, "retries", 1);
                if (mode == "ALL_ACTIONS")
                {
                    _notes.Add(new ImportNote(stageName,
                        "onFailure retries ALL_ACTIONS in CodePipeline; Farm retries the failed actions only"));
                }

                break;
            case null:
                break;
            default:
                _notes.Add(new ImportNote(stageName, $"onFailure result '{result}' has no Farm equivalent; left out, so the stage fails on failure"));
                break;
        }

        if (Get(onFailure, "conditions") is { ValueKind: JsonValueKind.Array } conditions && conditions.GetArrayLength() > 0)
        {
            _yaml.Comment(StageIndent, $"Not carried over: onFailure conditions ({Compact(conditions)}).");
            _notes.Add(new ImportNote(stageName, "onFailure conditions are not carried over: Farm applies onFailure without conditions"));
        }
    }

    private void WriteBeforeEntry(JsonElement stage, string path, string stageName)
    {
        if (OptionalObject(stage, path, "beforeEntry") is not { } beforeEntry)
        {
            return;
        }

        var entryPath = JsonSource.Child(path, "beforeEntry");
        var conditions = OptionalArray(beforeEntry, entryPath, "conditions");
        if (conditions is not { } list || list.GetArrayLength() == 0)
        {
            return;
        }

        // CodePipeline allows exactly one condition; a second would be a newer format, reported.
        if (list.GetArrayLength() > 1)
        {
            _notes.Add(new ImportNote(stageName, "beforeEntry has more than one condition; only the first is carried over"));
        }

        var conditionPath = JsonSource.Item(JsonSource.Child(entryPath, "conditions"), 0);
        var condition = list[0];
        if (!IsObject(condition, conditionPath, "a condition"))
        {
            return;
        }

        var result = OptionalText(condition, conditionPath, "result");
        var farmResult = result switch
        {
            null or "FAIL" => "fail",
            "SKIP" => "skip",
            _ => null,
        };
        if (farmResult is null)
        {
            _notes.Add(new ImportNote(stageName, $"beforeEntry result '{result}' has no Farm equivalent; written as fail"));
            farmResult = "fail";
        }

        var rules = new List<(string Variable, string Operator, string Value)>();
        var skipped = new List<string>();
        var rulesPath = JsonSource.Child(conditionPath, "rules");
        var index = 0;
        var ruleList = OptionalArray(condition, conditionPath, "rules");
        foreach (var rule in ruleList is { } r ? r.EnumerateArray().ToList() : [])
        {
            var rulePath = JsonSource.Item(rulesPath, index++);
            if (!IsObject(rule, rulePath, "a rule"))
            {
                continue;
            }

            var ruleName = OptionalText(rule, rulePath, "name") ?? $"rule {index}";
            var provider = Get(rule, "ruleTypeId") is { } typeId ? TextOf(typeId, "provider") : null;
            var configuration = StringMap(rule, rulePath, "configuration").ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
            var op = configuration.GetValueOrDefault("Operator");
            if (provider == "VariableCheck" && op is not null && RuleOperators.TryGetValue(op, out var farmOperator)
                && configuration.TryGetValue("Variable", out var variable))
            {
                rules.Add((Rewrite(variable, stageName), farmOperator, Rewrite(configuration.GetValueOrDefault("Value", ""), stageName)));
                continue;
            }

            var why = provider == "VariableCheck" ? $"operator '{op}' has no Farm equivalent" : $"{provider ?? "an unknown"} rules have no Farm equivalent";
            skipped.Add($"{ruleName} ({provider}): {string.Join(", ", configuration.Select(p => $"{p.Key}={Secrets.Redact(p.Key, p.Value)}"))}");
            _notes.Add(new ImportNote(stageName,
                $"beforeEntry rule '{ruleName}' is not carried over ({why}); Farm enters this stage without checking it"));
        }

        foreach (var rule in skipped)
        {
            _yaml.Comment(StageIndent, $"beforeEntry rule not carried over: {rule}");
        }

        if (rules.Count == 0)
        {
            return;
        }

        _yaml.Key(StageIndent, "beforeEntry");
        _yaml.Word(StageIndent + 2, "result", farmResult);
        _yaml.Key(StageIndent + 2, "rules");
        foreach (var (variable, op, value) in rules)
        {
            _yaml.Item();
            _yaml.Text(StageIndent + 6, "variable", variable);
            _yaml.Word(StageIndent + 6, "operator", op);
            _yaml.Text(StageIndent + 6, "value", value);
        }
    }

    /// <summary>One-line JSON for a comment, with the values of secret-looking keys redacted.</summary>
    private static string Compact(JsonElement value)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            WriteRedacted(writer, value, key: "");
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteRedacted(Utf8JsonWriter writer, JsonElement value, string key)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in value.EnumerateObject())
                {
                    writer.WritePropertyName(property.Name);
                    WriteRedacted(writer, property.Value, property.Name);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in value.EnumerateArray())
                {
                    WriteRedacted(writer, item, key);
                }

                writer.WriteEndArray();
                break;
            case JsonValueKind.String:
                writer.WriteStringValue(Secrets.Redact(key, value.GetString() ?? ""));
                break;
            default:
                value.WriteTo(writer);
                break;
        }
    }
}
