using System.Globalization;
using System.Text;
using Farm.Api.V1;

namespace Farm.Cli.Formatting;

/// <summary>
/// The human form of <c>farm status</c>: a header about the execution, the source revisions it builds,
/// a table of stages and their actions, then, for each action that has any, its approval (question,
/// review page, deadline, decision), namespace, outputs, artifacts and earlier attempts, and with
/// <c>verbose</c> the configuration it was dispatched with.
/// </summary>
internal static class ExecutionReport
{
    /// <param name="execution">The execution to describe.</param>
    /// <param name="now">The current time, for the running time of what has not finished.</param>
    /// <param name="verbose">Also show each action's resolved configuration and every earlier attempt.</param>
    public static string Format(Execution execution, DateTimeOffset now, bool verbose = false)
    {
        var header = new TextTable("Execution", execution.Id);
        header.AddRow("Pipeline", $"{execution.Pipeline} v{execution.PipelineVersion}");
        header.AddRow("Status", Display.Status(execution.Status));
        if (!string.IsNullOrEmpty(execution.Trigger))
        {
            header.AddRow("Trigger", execution.Trigger);
        }

        if (!string.IsNullOrEmpty(execution.TriggeredBy))
        {
            header.AddRow("Triggered by", execution.TriggeredBy);
        }

        if (!string.IsNullOrEmpty(execution.RollbackOf))
        {
            header.AddRow("Rollback of", execution.RollbackOf);
        }

        header.AddRow("Started", Display.Time(execution.StartedAt));
        var duration = Display.Duration(execution.StartedAt, execution.FinishedAt, now);
        header.AddRow("Duration", duration is null ? null : Display.IsFinal(execution.Status) ? duration : duration + " so far");
        if (!string.IsNullOrEmpty(execution.WaitingForStage))
        {
            header.AddRow("Waiting", $"for {execution.WaitingForStage}"
                + (string.IsNullOrWhiteSpace(execution.WaitingReason) ? "" : ": " + execution.WaitingReason.Trim()));
        }

        if (execution.Variables.Count > 0)
        {
            header.AddRow("Variables", string.Join(", ", execution.Variables.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => $"{v.Key}={v.Value}")));
        }

        if (!string.IsNullOrWhiteSpace(execution.Message))
        {
            header.AddRow("Message", execution.Message);
        }

        var report = new StringBuilder().Append(header);
        if (execution.Sources.Count > 0)
        {
            report.Append("\nSources\n").Append(FormatDetails(execution.Sources.Select(s => (s.Action, (IReadOnlyList<string>)SourceLines(s))).ToList()));
        }

        if (execution.Stages.Count == 0)
        {
            return report.ToString();
        }

        var stages = new TextTable("STAGE/ACTION", "STATUS", "ATTEMPT", "AGENT", "EXIT", "DURATION", "MESSAGE");
        foreach (var stage in execution.Stages)
        {
            stages.AddPartialRow(
                stage.Name,
                Display.Status(stage.Status),
                stage.Entries > 1 ? $"entry {stage.Entries}" : null,
                null,
                null,
                null,
                stage.Message);
            foreach (var action in stage.Actions)
            {
                stages.AddPartialRow(
                    "  " + action.Name,
                    Display.Status(action.Status),
                    action.Attempt.ToString(CultureInfo.InvariantCulture),
                    action.Agent,
                    action.HasExitCode ? action.ExitCode.ToString(CultureInfo.InvariantCulture) : null,
                    Display.Duration(action.StartedAt, action.FinishedAt, now),
                    action.Message);
            }
        }

        report.Append('\n').Append(stages);
        foreach (var stage in execution.Stages)
        {
            foreach (var action in stage.Actions)
            {
                var details = ActionDetails(execution.Id, stage.Name, action, verbose);
                if (details.Count > 0)
                {
                    report.Append('\n').Append(stage.Name).Append('/').Append(action.Name).Append('\n').Append(FormatDetails(details));
                }
            }
        }

        return report.ToString();
    }

    /// <summary>An action's facts beyond its table row, each a label and one or more lines.</summary>
    private static List<(string Label, IReadOnlyList<string> Lines)> ActionDetails(string executionId, string stage, ActionExecution action, bool verbose)
    {
        var details = new List<(string, IReadOnlyList<string>)>();
        if (action.Approval is { } approval)
        {
            details.AddRange(ApprovalDetails(executionId, stage, action, approval));
        }

        if (!string.IsNullOrEmpty(action.Namespace))
        {
            details.Add(("Namespace", [action.Namespace]));
        }

        if (action.Outputs.Count > 0)
        {
            details.Add(("Outputs", Assignments(action.Outputs)));
        }

        if (action.Artifacts.Count > 0)
        {
            details.Add(("Artifacts", action.Artifacts
                .Select(a => $"{a.Name} ({Display.Size(a.Size)}, sha256 {Display.ShortHash(a.Sha256)})"
                    + (string.IsNullOrEmpty(a.FromExecutionId) ? "" : $" from {a.FromExecutionId}"))
                .ToList()));
        }

        if (action.PreviousAttempts.Count > 0)
        {
            details.Add(("Earlier attempts", verbose
                ? action.PreviousAttempts.Select((a, i) => AttemptLine(i + 1, a)).ToList()
                : [action.PreviousAttempts.Count.ToString(CultureInfo.InvariantCulture)]));
        }

        if (verbose && action.Resolved is { } resolved)
        {
            if (!string.IsNullOrEmpty(action.Type))
            {
                details.Add(("Type", [action.Type]));
            }

            if (!string.IsNullOrEmpty(resolved.Image))
            {
                details.Add(("Image", [resolved.Image]));
            }

            if (!string.IsNullOrEmpty(resolved.Network))
            {
                details.Add(("Network", [resolved.Network]));
            }

            if (resolved.Commands.Count > 0)
            {
                details.Add(("Commands", resolved.Commands.SelectMany(c => c.Split('\n')).ToList()));
            }

            if (resolved.Env.Count > 0)
            {
                details.Add(("Env", Assignments(resolved.Env)));
            }

            if (resolved.InputArtifacts.Count > 0)
            {
                details.Add(("Inputs", [string.Join(", ", resolved.InputArtifacts)]));
            }
        }

        return details;
    }

    /// <summary>
    /// A source revision: <c>https://git.example.com/site.git main @ 3f2a9c1</c>, then once the
    /// source action fetched it <c>Alice: Fix the build</c>, then the link to the commit.
    /// </summary>
    private static List<string> SourceLines(SourceRevision source)
    {
        var first = new StringBuilder(source.Repository);
        if (!string.IsNullOrEmpty(source.Ref))
        {
            first.Append(first.Length > 0 ? " " : "").Append(source.Ref);
        }

        if (!string.IsNullOrEmpty(source.Commit))
        {
            first.Append(first.Length > 0 ? " @ " : "").Append(Display.ShortCommit(source.Commit));
        }

        var lines = new List<string> { first.Length > 0 ? first.ToString() : Display.None };
        var author = source.Author.Trim();
        var message = Display.OneLine(source.Message);
        if (author.Length > 0 || message.Length > 0)
        {
            lines.Add(author.Length > 0 && message.Length > 0 ? $"{author}: {message}" : author + message);
        }

        if (!string.IsNullOrWhiteSpace(source.Url))
        {
            lines.Add(source.Url.Trim());
        }

        return lines;
    }

    /// <summary>
    /// What an approval asks, where to look first, until when, and the decision, or while it waits the
    /// command that approves it.
    /// </summary>
    private static IEnumerable<(string, IReadOnlyList<string>)> ApprovalDetails(string executionId, string stage, ActionExecution action, Approval approval)
    {
        if (!string.IsNullOrWhiteSpace(approval.Message))
        {
            yield return ("Approval", [Display.OneLine(approval.Message)]);
        }

        if (!string.IsNullOrWhiteSpace(approval.ReviewUrl))
        {
            yield return ("Review", [approval.ReviewUrl.Trim()]);
        }

        if (approval.Deadline is not null)
        {
            yield return ("Deadline", [Display.Time(approval.Deadline)]);
        }

        if (!string.IsNullOrEmpty(approval.Decision))
        {
            var decision = new StringBuilder(approval.Decision);
            if (!string.IsNullOrEmpty(approval.DecidedBy))
            {
                decision.Append(" by ").Append(approval.DecidedBy);
            }

            if (approval.DecidedAt is not null)
            {
                decision.Append(" at ").Append(Display.Time(approval.DecidedAt));
            }

            if (!string.IsNullOrWhiteSpace(approval.Comment))
            {
                decision.Append(": ").Append(Display.OneLine(approval.Comment));
            }

            yield return ("Decision", [decision.ToString()]);
        }
        else if (action.Status == ExecutionStatus.InProgress)
        {
            yield return ("Decision", [$"waiting: {Display.ApproveCommand(executionId, stage, action.Name)} (or farm reject)"]);
        }
    }

    /// <summary><c>1: a-7f3 failed on host-1, exit 3 (2.0s): timed out</c>.</summary>
    private static string AttemptLine(int number, AttemptRecord attempt)
    {
        var line = new StringBuilder().Append(number.ToString(CultureInfo.InvariantCulture)).Append(": ");
        if (!string.IsNullOrEmpty(attempt.AttemptId))
        {
            line.Append(attempt.AttemptId).Append(' ');
        }

        line.Append(Display.Status(attempt.Status));
        if (!string.IsNullOrEmpty(attempt.Agent))
        {
            line.Append(" on ").Append(attempt.Agent);
        }

        if (attempt.HasExitCode)
        {
            line.Append(", exit ").Append(attempt.ExitCode.ToString(CultureInfo.InvariantCulture));
        }

        if (attempt.StartedAt is not null && attempt.FinishedAt is not null)
        {
            line.Append(" (").Append(Display.Duration(attempt.FinishedAt.ToDateTimeOffset() - attempt.StartedAt.ToDateTimeOffset())).Append(')');
        }

        if (!string.IsNullOrWhiteSpace(attempt.Message))
        {
            line.Append(": ").Append(attempt.Message.Trim());
        }

        return line.ToString();
    }

    private static List<string> Assignments(IDictionary<string, string> values) =>
        values.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => $"{v.Key}={v.Value}").ToList();

    /// <summary>Labels indented under the action, values aligned after them; a value's further lines align with its first.</summary>
    private static string FormatDetails(List<(string Label, IReadOnlyList<string> Lines)> details)
    {
        var width = details.Max(d => d.Label.Length) + 2;
        var text = new StringBuilder();
        foreach (var (label, lines) in details)
        {
            for (var i = 0; i < lines.Count; i++)
            {
                text.Append("  ").Append((i == 0 ? label : "").PadRight(width)).Append(lines[i]).Append('\n');
            }
        }

        return text.ToString();
    }
}
