namespace Farm.Core.Pipelines;

/// <summary>A stage: its actions run by <see cref="ActionDefinition.RunOrder"/>, equal numbers in parallel.</summary>
public sealed record StageDefinition(string Name, IReadOnlyList<ActionDefinition> Actions);
