using Farm.Core.Pipelines;

namespace Farm.Core.Executions;

/// <summary>Turns a start's variable overrides into the execution's variables.</summary>
public static class StartVariables
{
    /// <summary>
    /// Declared defaults, overridden by <paramref name="overrides"/>. Every override must name a
    /// declared variable; each that does not is listed in <paramref name="errors"/>.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Resolve(
        PipelineDefinition pipeline, IReadOnlyDictionary<string, string> overrides, out IReadOnlyList<string> errors)
    {
        var values = pipeline.Variables.ToDictionary(v => v.Name, v => v.Default, StringComparer.Ordinal);
        var unknown = new List<string>();
        foreach (var (name, value) in overrides.OrderBy(o => o.Key, StringComparer.Ordinal))
        {
            if (values.ContainsKey(name))
            {
                values[name] = value;
            }
            else
            {
                var declared = pipeline.Variables.Count == 0
                    ? "it declares none"
                    : "it declares " + string.Join(", ", pipeline.Variables.Select(v => v.Name));
                unknown.Add($"Pipeline '{pipeline.Name}' has no variable '{name}' ({declared}).");
            }
        }

        errors = unknown;
        return values;
    }
}
