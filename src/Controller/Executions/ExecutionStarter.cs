using Farm.Controller.Pipelines;
using Farm.Controller.Sources;
using Farm.Core.Executions;
using Farm.Core.Pipelines;

namespace Farm.Controller.Executions;

/// <summary>
/// Starts executions for the API and for triggers alike: pins a revision for every git action
/// (asking the repository, outside any grain, since that can take as long as the remote does), then
/// asks the pipeline grain to start on exactly the version the revisions were resolved for.
/// </summary>
public sealed class ExecutionStarter(IGrainFactory grains, ISourceResolver sources)
{
    public async Task<StartOutcome> StartAsync(
        string pipelineName, Dictionary<string, string> variables, IReadOnlyDictionary<string, string> revisions,
        string trigger, string? triggeredBy, ParentLink? parent, CancellationToken cancellationToken)
    {
        var grain = grains.GetGrain<IPipelineGrain>(pipelineName);
        // A new version applied between resolving and starting makes the grain refuse; resolve again.
        for (var tries = 0; ; tries++)
        {
            var stored = await grain.GetVersion(0);
            if (stored is null)
            {
                return StartOutcome.Refused(StartRefusal.PipelineNotFound, $"No pipeline named '{pipelineName}' has been applied.");
            }

            var pipeline = StoredSource.Definition(stored.Source);
            var gitActions = pipeline.Stages.SelectMany(s => s.Actions.Where(a => a.Type == ActionType.Git).Select(a => (Stage: s.Name, Action: a))).ToList();
            var unknown = revisions.Keys.Where(name => gitActions.All(g => g.Action.Name != name)).ToList();
            if (unknown.Count > 0)
            {
                var known = gitActions.Count == 0 ? "it has no git actions" : "its git actions are " + string.Join(", ", gitActions.Select(g => g.Action.Name));
                return StartOutcome.Refused(StartRefusal.InvalidVariables,
                    $"Pipeline '{pipelineName}' has no git action {string.Join(", ", unknown.Select(u => $"'{u}'"))} to set a revision for ({known}).");
            }

            var pinned = new List<PinnedSource>();
            foreach (var (stage, action) in gitActions)
            {
                try
                {
                    var resolved = await sources.ResolveAsync(action.Git!, revisions.GetValueOrDefault(action.Name), cancellationToken);
                    pinned.Add(new PinnedSource(stage, action.Name, action.Git!.Repository, resolved.Ref, resolved.Commit, action.Git.WebUrl));
                }
                catch (SourceResolutionException e)
                {
                    return StartOutcome.Refused(StartRefusal.FailedPrecondition, $"Source '{action.Name}': {e.Message}");
                }
            }

            var outcome = await grain.Start(new StartRequest(variables, pinned.ToArray(), stored.Version, trigger, triggeredBy, parent));
            if (outcome.Refusal != StartRefusal.VersionChanged || tries == 2)
            {
                return outcome;
            }
        }
    }
}
