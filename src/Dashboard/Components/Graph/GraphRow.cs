namespace Farm.Dashboard.Components.Graph;

/// <summary>The actions of a stage that share a run order: they run side by side, after every lower run order.</summary>
public sealed record GraphRow(int RunOrder, IReadOnlyList<GraphAction> Actions);
