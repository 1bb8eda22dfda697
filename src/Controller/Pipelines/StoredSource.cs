using System.Collections.Concurrent;
using Farm.Core.Pipelines;

namespace Farm.Controller.Pipelines;

/// <summary>
/// The definition of a stored pipeline version, parsed once per process. Every execution reads its
/// version's definition, and parsing YAML each time was a tenth of the controller's CPU in the
/// throughput benchmark (see docs/benchmarks.md). Keyed by the text itself, so a pipeline deleted
/// and applied again under the same name and version number cannot meet the old definition.
/// Definitions are immutable records, safe to share between grains.
/// </summary>
public static class StoredSource
{
    // Far more versions than run at once; past it the cache starts again rather than track use.
    private const int Capacity = 256;
    private static readonly ConcurrentDictionary<string, PipelineDefinition> Parsed = new(StringComparer.Ordinal);

    /// <summary>The definition of <paramref name="source"/>, which was stored only after it parsed.</summary>
    /// <exception cref="InvalidOperationException">It no longer parses (the parser changed since it was stored).</exception>
    public static PipelineDefinition Definition(string source)
    {
        if (Parsed.TryGetValue(source, out var cached))
        {
            return cached;
        }

        var parsed = PipelineParser.Parse(source);
        var pipeline = parsed.Pipeline ?? throw new InvalidOperationException(
            "A stored pipeline version no longer parses: " + string.Join("; ", parsed.Errors));
        if (Parsed.Count >= Capacity)
        {
            Parsed.Clear();
        }

        Parsed[source] = pipeline;
        return pipeline;
    }
}
