namespace Farm.Core.Pipelines;

/// <summary>
/// Where an action, or a stage's entry rules, sits in the order a pipeline runs; the parser uses
/// it to check that namespaces and artifacts are only taken from actions that run earlier.
/// </summary>
/// <param name="Stage">Index of the stage in the file, from 0.</param>
/// <param name="StageLabel">The stage as messages name it: <c>stage 'Build'</c>, or <c>stage 2</c> when it has no name.</param>
/// <param name="RunOrder">The action's runOrder; 0 for a stage's entry rules, which are checked before any of its actions.</param>
/// <param name="Action">Index of the action in its stage, from 0; -1 for a stage's entry rules.</param>
internal readonly record struct RunPosition(int Stage, string StageLabel, int RunOrder, int Action)
{
    /// <summary>The position of the <c>beforeEntry</c> rules of a stage.</summary>
    public static RunPosition StageEntry(int stage, string stageLabel) => new(stage, stageLabel, 0, -1);

    /// <summary>True for the position of a stage's entry rules.</summary>
    public bool IsStageEntry => Action < 0;

    /// <summary>
    /// True when what sits here has finished before <paramref name="later"/> starts: it is in an
    /// earlier stage, or in the same stage with a lower runOrder.
    /// </summary>
    public bool RunsBefore(RunPosition later) =>
        Stage < later.Stage || (Stage == later.Stage && RunOrder < later.RunOrder);

    /// <summary>True when both positions are the same action.</summary>
    public bool IsSameAction(RunPosition other) => !IsStageEntry && Stage == other.Stage && Action == other.Action;
}
