using Farm.Controller.Executions;
using Farm.Controller.Storage;
using Farm.Core.Executions;
using Farm.Core.Pipelines;

namespace Farm.Controller.Pipelines;

public sealed class PipelineGrain(
    [PersistentState("pipeline", SqliteGrainStorage.Name)] IPersistentState<PipelineState> state,
    PipelineCatalog catalog,
    TimeProvider time) : Grain, IPipelineGrain
{
    private string Name => this.GetPrimaryKeyString();

    public async Task<ApplyOutcome> Apply(string source)
    {
        var parsed = PipelineParser.Parse(source);
        if (parsed.Pipeline is null)
        {
            throw new ArgumentException(string.Join(Environment.NewLine, parsed.Errors), nameof(source));
        }

        if (parsed.Pipeline.Name != Name)
        {
            throw new ArgumentException($"The file defines pipeline '{parsed.Pipeline.Name}', not '{Name}'.", nameof(source));
        }

        var versions = state.State.Versions;
        if (versions.Count > 0 && versions[^1].Source == source)
        {
            return new ApplyOutcome(versions[^1].Version, Unchanged: true);
        }

        var applied = new PipelineVersionRecord(versions.Count + 1, source, time.GetUtcNow());
        versions.Add(applied);
        await state.WriteStateAsync();
        await catalog.UpsertAsync(Name, applied.Version, applied.AppliedAt);
        return new ApplyOutcome(applied.Version, Unchanged: false);
    }

    public Task<StoredPipelineVersion?> GetVersion(int version)
    {
        var versions = state.State.Versions;
        var index = version == 0 ? versions.Count - 1 : version - 1;
        if (index < 0 || index >= versions.Count)
        {
            return Task.FromResult<StoredPipelineVersion?>(null);
        }

        var found = versions[index];
        return Task.FromResult<StoredPipelineVersion?>(
            new StoredPipelineVersion(found.Version, found.Source, found.AppliedAt, versions.Count));
    }

    public async Task<StartOutcome> Start(Dictionary<string, string> variables)
    {
        if (state.State.Versions.Count == 0)
        {
            return new StartOutcome(null, StartRefusal.PipelineNotFound, [$"No pipeline named '{Name}' has been applied."]);
        }

        var latest = state.State.Versions[^1];
        var pipeline = PipelineParser.Parse(latest.Source).Pipeline
            ?? throw new InvalidOperationException($"Stored version {latest.Version} of '{Name}' no longer parses.");
        var values = StartVariables.Resolve(pipeline, variables, out var errors);
        if (errors.Count > 0)
        {
            return new StartOutcome(null, StartRefusal.InvalidVariables, errors.ToArray());
        }

        // The number is stored before the execution exists, so a crash between the two skips a number
        // rather than ever reusing one.
        var number = ++state.State.ExecutionsStarted;
        await state.WriteStateAsync();
        var id = $"{Name}-{number}";
        await GrainFactory.GetGrain<IExecutionGrain>(id)
            .Begin(new ExecutionStart(Name, latest.Version, number, latest.Source, new Dictionary<string, string>(values)));
        return new StartOutcome(id, StartRefusal.None, []);
    }
}
