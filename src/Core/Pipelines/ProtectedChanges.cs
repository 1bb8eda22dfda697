using System.Text.Json;
using System.Text.Json.Serialization;

namespace Farm.Core.Pipelines;

/// <summary>
/// What a new version of a pipeline changes in its protected parts, one readable line per change:
/// <c>stage 'Approve': action 'release' removed</c>. Empty when nothing protected changes. The
/// controller lets only an approver or admin apply a version with changes, and audits them.
/// </summary>
/// <remarks>
/// A protected stage changes when it is removed (renaming is removing), when it is no longer
/// protected, when its actions, their settings, its onFailure or its beforeEntry rules differ, and
/// when the stages before it differ, since moving a deploy stage in front of an approval defeats the
/// approval without touching it. In a protected pipeline every stage is protected, and a stage added,
/// or a change of variables, execution mode or triggers, is a change too. Definitions are compared,
/// not text, so comments and formatting change nothing.
/// </remarks>
public static class ProtectedChanges
{
    private const int MaxValueLength = 60;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    /// <summary>The changes from <paramref name="before"/> (null for a new pipeline: none) to <paramref name="after"/>.</summary>
    public static IReadOnlyList<string> Between(PipelineDefinition? before, PipelineDefinition after)
    {
        var changes = new List<string>();
        if (before is null)
        {
            return changes;
        }

        if (before.Protected)
        {
            PipelineSettings(before, after, changes);
        }

        var now = after.Stages.ToDictionary(s => s.Name, StringComparer.OrdinalIgnoreCase);
        for (var index = 0; index < before.Stages.Count; index++)
        {
            var stage = before.Stages[index];
            if (!stage.Protected)
            {
                continue;
            }

            var subject = $"stage '{stage.Name}'";
            if (!now.TryGetValue(stage.Name, out var changed))
            {
                changes.Add($"{subject}: removed");
                continue;
            }

            if (!changed.Protected)
            {
                changes.Add($"{subject}: no longer protected");
            }

            var earlier = Names(before.Stages.Take(index));
            var earlierNow = Names(after.Stages.TakeWhile(s => !ReferenceEquals(s, changed)));
            if (earlier != earlierNow)
            {
                changes.Add($"{subject}: the stages before it were {earlier}, now {earlierNow}");
            }

            Compare(subject, Flatten(new { stage.OnFailure, stage.BeforeEntry }), Flatten(new { changed.OnFailure, changed.BeforeEntry }), changes);
            Actions(subject, stage, changed, changes);
        }

        return changes;
    }

    private static void PipelineSettings(PipelineDefinition before, PipelineDefinition after, List<string> changes)
    {
        if (!after.Protected)
        {
            changes.Add("pipeline: no longer protected");
        }

        Compare(
            "pipeline",
            Flatten(new { before.ExecutionMode, before.Variables, before.Triggers }),
            Flatten(new { after.ExecutionMode, after.Variables, after.Triggers }),
            changes);
        var known = before.Stages.Select(s => s.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        changes.AddRange(after.Stages.Where(s => !known.Contains(s.Name)).Select(s => $"stage '{s.Name}': added"));
    }

    private static void Actions(string subject, StageDefinition before, StageDefinition after, List<string> changes)
    {
        var now = after.Actions.ToDictionary(a => a.Name, StringComparer.OrdinalIgnoreCase);
        foreach (var action in before.Actions)
        {
            var where = $"{subject}: action '{action.Name}'";
            if (now.Remove(action.Name, out var changed))
            {
                Compare(where, Flatten(action), Flatten(changed), changes);
            }
            else
            {
                changes.Add($"{where} removed");
            }
        }

        changes.AddRange(now.Values.Select(a => $"{subject}: action '{a.Name}' added"));
    }

    /// <summary>One line per setting that differs, in the model's order: <c>SUBJECT: image changed from "a" to "b"</c>.</summary>
    private static void Compare(string subject, List<(string Path, string Value)> before, List<(string Path, string Value)> after, List<string> changes)
    {
        var now = after.ToDictionary(s => s.Path, s => s.Value, StringComparer.Ordinal);
        var was = before.Select(s => s.Path).ToHashSet(StringComparer.Ordinal);
        foreach (var (path, value) in before)
        {
            if (!now.TryGetValue(path, out var changed))
            {
                changes.Add($"{subject}: {path} removed (was {Shorten(value)})");
            }
            else if (changed != value)
            {
                changes.Add($"{subject}: {path} changed from {Shorten(value)} to {Shorten(changed)}");
            }
        }

        changes.AddRange(after.Where(s => !was.Contains(s.Path)).Select(s => $"{subject}: {s.Path} set to {Shorten(s.Value)}"));
    }

    /// <summary>
    /// The settings of a model object as JSON paths (<c>approval.message</c>) with JSON values, in
    /// the model's order; a list is one value, so a changed command reads as the list before and after.
    /// </summary>
    private static List<(string Path, string Value)> Flatten(object value)
    {
        var flat = new List<(string Path, string Value)>();
        var pending = new Stack<(string Path, JsonElement Element)>();
        pending.Push(("", JsonSerializer.SerializeToElement(value, value.GetType(), Json)));
        while (pending.TryPop(out var item))
        {
            if (item.Element.ValueKind != JsonValueKind.Object)
            {
                flat.Add((item.Path, item.Element.GetRawText()));
                continue;
            }

            // Pushed last to first, so they come off the stack in order.
            foreach (var property in item.Element.EnumerateObject().Reverse())
            {
                pending.Push((item.Path.Length == 0 ? property.Name : $"{item.Path}.{property.Name}", property.Value));
            }
        }

        // Actions are matched by name, ignoring case; a name written in another case is no change.
        flat.RemoveAll(s => s.Path == "name");
        return flat;
    }

    private static string Names(IEnumerable<StageDefinition> stages)
    {
        var names = stages.Select(s => s.Name).ToList();
        return names.Count == 0 ? "none" : string.Join(", ", names);
    }

    private static string Shorten(string json) => json.Length > MaxValueLength ? json[..MaxValueLength] + "…" : json;
}
