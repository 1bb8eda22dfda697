using Farm.Controller.Pipelines;
using Farm.Controller.Storage;
using Farm.Core.Pipelines;

namespace Farm.Controller.Triggers;

/// <summary>
/// Reads pipelines from the catalog and their latest source from the pipeline grain, parsed once
/// (<see cref="StoredSource"/>). A name the catalog does not hold is answered from the catalog alone,
/// so names from outside (a webhook URL) never activate a grain for a pipeline that does not exist.
/// </summary>
public sealed class StoredPipelines(IGrainFactory grains, PipelineCatalog catalog) : ITriggerPipelines
{
    public async Task<PipelineDefinition?> GetAsync(string name)
    {
        if (!await catalog.ContainsAsync(name))
        {
            return null;
        }

        var stored = await grains.GetGrain<IPipelineGrain>(name).GetVersion(0);
        if (stored is null)
        {
            return null;
        }

        try
        {
            return StoredSource.Definition(stored.Source);
        }
        catch (InvalidOperationException)
        {
            // The parser changed since the version was stored: no trigger fires for it, the others still do.
            return null;
        }
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
