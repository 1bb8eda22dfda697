namespace Farm.Dashboard.Components.Graph;

/// <summary>A request to run a stage again: its failed actions, or <see cref="All"/> of them.</summary>
public sealed record StageRetry(string Stage, bool All);
