namespace Farm.Core.Pipelines;

/// <summary>A stage: its actions run by <see cref="ActionDefinition.RunOrder"/>, equal numbers in parallel.</summary>
public sealed record StageDefinition(string Name, IReadOnlyList<ActionDefinition> Actions)
{
    /// <summary>What happens when an action fails. Default: the stage fails.</summary>
    public FailureHandling OnFailure { get; init; } = FailureHandling.Fail;

    /// <summary>Rules checked when an execution enters the stage; null when there are none.</summary>
    public EntryConditions? BeforeEntry { get; init; }
}
