namespace Farm.Core.Pipelines;

/// <summary>A validated pipeline: stages run in order, each holding actions.</summary>
/// <param name="Name">Unique name of the pipeline; also the key it is stored under.</param>
/// <param name="Variables">Declared pipeline variables, in file order.</param>
/// <param name="Stages">Stages in the order they run; never empty.</param>
public sealed record PipelineDefinition(
    string Name,
    IReadOnlyList<VariableDefinition> Variables,
    IReadOnlyList<StageDefinition> Stages)
{
    /// <summary>How executions share stages. Default <see cref="ExecutionMode.Superseded"/>, as in CodePipeline.</summary>
    public ExecutionMode ExecutionMode { get; init; } = ExecutionMode.Superseded;

    /// <summary>What starts executions besides people and tools: source changes and schedules.</summary>
    public IReadOnlyList<TriggerDefinition> Triggers { get; init; } = [];

    /// <summary>
    /// <c>protected: true</c> at the top level: every stage is protected, and so are the pipeline's
    /// own settings (variables, execution mode, triggers) and its list of stages; any change of the
    /// file then needs an approver or admin.
    /// </summary>
    public bool Protected { get; init; }
}
