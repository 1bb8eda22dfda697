namespace Farm.Core.Pipelines;

/// <summary>A stage: its actions run by <see cref="ActionDefinition.RunOrder"/>, equal numbers in parallel.</summary>
public sealed record StageDefinition(string Name, IReadOnlyList<ActionDefinition> Actions)
{
    /// <summary>What happens when an action fails. Default: the stage fails.</summary>
    public FailureHandling OnFailure { get; init; } = FailureHandling.Fail;

    /// <summary>Rules checked when an execution enters the stage; null when there are none.</summary>
    public EntryConditions? BeforeEntry { get; init; }

    /// <summary>
    /// Only an approver or admin may remove the stage, change it or lift this flag (see
    /// <see cref="ProtectedChanges"/>). True when the file says <c>protected: true</c>, when the stage
    /// holds an approval action (always: an approval gate cannot opt out), and for every stage of a
    /// protected pipeline.
    /// </summary>
    public bool Protected { get; init; }
}
