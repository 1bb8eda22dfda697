using Farm.Api.V1;

namespace Farm.Cli.Formatting;

/// <summary>The human form of <c>farm status</c>: a header about the execution, then a table of stages and their actions.</summary>
internal static class ExecutionReport
{
    /// <param name="execution">The execution to describe.</param>
    /// <param name="now">The current time, for the running time of what has not finished.</param>
    public static string Format(Execution execution, DateTimeOffset now)
    {
        var header = new TextTable("Execution", execution.Id);
        header.AddRow("Pipeline", $"{execution.Pipeline} v{execution.PipelineVersion}");
        header.AddRow("Status", Display.Status(execution.Status));
        header.AddRow("Started", Display.Time(execution.StartedAt));
        var duration = Display.Duration(execution.StartedAt, execution.FinishedAt, now);
        header.AddRow("Duration", duration is null ? null : Display.IsFinal(execution.Status) ? duration : duration + " so far");
        if (execution.Variables.Count > 0)
        {
            header.AddRow("Variables", string.Join(", ", execution.Variables.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => $"{v.Key}={v.Value}")));
        }

        if (!string.IsNullOrWhiteSpace(execution.Message))
        {
            header.AddRow("Message", execution.Message);
        }

        var stages = new TextTable("STAGE/ACTION", "STATUS", "ATTEMPT", "AGENT", "EXIT", "DURATION", "MESSAGE");
        foreach (var stage in execution.Stages)
        {
            stages.AddPartialRow(stage.Name, Display.Status(stage.Status));
            foreach (var action in stage.Actions)
            {
                stages.AddPartialRow(
                    "  " + action.Name,
                    Display.Status(action.Status),
                    action.Attempt.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    action.Agent,
                    action.HasExitCode ? action.ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture) : null,
                    Display.Duration(action.StartedAt, action.FinishedAt, now),
                    action.Message);
            }
        }

        return execution.Stages.Count == 0 ? header.ToString() : header + "\n" + stages;
    }
}
