using Farm.Api.V1;

namespace Farm.Cli.Formatting;

/// <summary>
/// The human form of <c>farm pipeline</c> and <c>farm transition</c>: for each stage, whether
/// executions may enter it, which are in it and which wait for it.
/// </summary>
internal static class PipelineStateReport
{
    public static string Format(PipelineState state)
    {
        var header = new TextTable("Pipeline", $"{state.Name} v{state.Version}");
        header.AddRow("Mode", state.ExecutionMode);
        var stages = new TextTable("STAGE", "TRANSITION", "RUNNING", "WAITING");
        foreach (var stage in state.Stages)
        {
            stages.AddRow(stage.Name, Transition(stage), Ids(stage.ExecutionIds), Ids(stage.WaitingExecutionIds));
        }

        return state.Stages.Count == 0 ? header.ToString() : header + "\n" + stages;
    }

    /// <summary>
    /// One stage on one line, for the commands that change one:
    /// <c>hello/Deploy: transition disabled (release freeze); running hello-5; waiting hello-6, hello-7</c>.
    /// </summary>
    public static string StageLine(string pipeline, StageState stage) =>
        $"{pipeline}/{stage.Name}: transition {Transition(stage)}; running {Ids(stage.ExecutionIds) ?? "none"}; "
        + $"waiting {Ids(stage.WaitingExecutionIds) ?? "none"}";

    /// <summary><c>enabled</c>, or <c>disabled (reason)</c>.</summary>
    public static string Transition(StageState stage) =>
        stage.TransitionEnabled ? "enabled"
        : string.IsNullOrWhiteSpace(stage.DisabledReason) ? "disabled"
        : $"disabled ({stage.DisabledReason.Trim()})";

    private static string? Ids(IReadOnlyCollection<string> ids) => ids.Count == 0 ? null : string.Join(", ", ids);
}
