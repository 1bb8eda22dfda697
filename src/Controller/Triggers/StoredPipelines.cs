using System.Collections.Concurrent;
using Farm.Controller.Pipelines;
using Farm.Controller.Storage;
using Farm.Core.Pipelines;

namespace Farm.Controller.Triggers;

/// <summary>
/// Reads pipelines from the catalog and their latest source from the pipeline grain, parsing each
/// version once.
/// </summary>
public sealed class StoredPipelines(IGrainFactory grains, PipelineCatalog catalog) : ITriggerPipelines
{
    private readonly ConcurrentDictionary<string, (int Version, PipelineDefinition Pipeline)> _parsed = new();

    public async Task<PipelineDefinition?> GetAsync(string name)
    {
        var stored = await grains.GetGrain<IPipelineGrain>(name).GetVersion(0);
        if (stored is null)
        {
            return null;
        }

        if (_parsed.TryGetValue(name, out var cached) && cached.Version == stored.Version)
        {
            return cached.Pipeline;
        }

        // The grain stored it only after it parsed; null would mean the parser changed since.
        var pipeline = PipelineParser.Parse(stored.Source).Pipeline;
        if (pipeline is not null)
        {
            _parsed[name] = (stored.Version, pipeline);
        }

        return pipeline;
    }

    public async Task<IReadOnlyList<PipelineDefinition>> ListAsync()
    {
        var pipelines = new List<PipelineDefinition>();
        // Every few seconds: names only, not each pipeline's latest execution.
        foreach (var name in await catalog.NamesAsync())
        {
            if (await GetAsync(name) is { } pipeline)
            {
                pipelines.Add(pipeline);
            }
        }

        return pipelines;
    }
}
