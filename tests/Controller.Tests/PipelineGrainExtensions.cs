using Farm.Controller.Pipelines;
using Farm.Core.Executions;

namespace Farm.Controller.Tests;

/// <summary>Starts executions of pipelines without git sources, as the API would for a person.</summary>
public static class PipelineGrainExtensions
{
    public static async Task<StartOutcome> StartManually(this IPipelineGrain pipeline, Dictionary<string, string> variables)
    {
        var version = (await pipeline.GetVersion(0))?.Version ?? 0;
        return await pipeline.Start(new StartRequest(variables, [], version, ExecutionRun.ManualTrigger, "tester"));
    }
}
