using Farm.Api.V1;
using Farm.Controller.Storage;
using Farm.Core.Executions;
using Google.Protobuf.WellKnownTypes;

namespace Farm.Controller.Executions;

/// <summary>Maps execution state to the API's messages.</summary>
internal static class ExecutionMapping
{
    public static ExecutionStatus ToProto(this RunStatus status) => status switch
    {
        RunStatus.Pending => ExecutionStatus.Pending,
        RunStatus.Queued => ExecutionStatus.Queued,
        RunStatus.InProgress => ExecutionStatus.InProgress,
        RunStatus.Succeeded => ExecutionStatus.Succeeded,
        RunStatus.Failed => ExecutionStatus.Failed,
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    public static Execution ToProto(this ExecutionRun run)
    {
        var execution = new Execution
        {
            Id = run.Id,
            Pipeline = run.Pipeline,
            PipelineVersion = run.PipelineVersion,
            Status = run.Status.ToProto(),
            StartedAt = Timestamp.FromDateTimeOffset(run.StartedAt),
            FinishedAt = run.FinishedAt is { } finished ? Timestamp.FromDateTimeOffset(finished) : null,
            Revision = run.Revision,
            Message = run.Message ?? "",
        };
        foreach (var (name, value) in run.Variables)
        {
            execution.Variables[name] = value;
        }

        execution.Stages.Add(run.Stages.Select(stage =>
        {
            var mapped = new StageExecution { Name = stage.Name, Status = stage.Status.ToProto() };
            mapped.Actions.Add(stage.Actions.Select(ToProto));
            return mapped;
        }));
        return execution;
    }

    public static Execution ToProto(this ExecutionSummary summary) => new()
    {
        Id = summary.Id,
        Pipeline = summary.Pipeline,
        PipelineVersion = summary.PipelineVersion,
        Status = summary.Status.ToProto(),
        StartedAt = Timestamp.FromDateTimeOffset(summary.StartedAt),
        FinishedAt = summary.FinishedAt is { } finished ? Timestamp.FromDateTimeOffset(finished) : null,
        Message = summary.Message ?? "",
    };

    private static ActionExecution ToProto(ActionRun action)
    {
        var mapped = new ActionExecution
        {
            Name = action.Name,
            Type = action.Type,
            RunOrder = action.RunOrder,
            Status = action.Status.ToProto(),
            Attempt = action.Attempt,
            AttemptId = action.AttemptId ?? "",
            Agent = action.Agent ?? "",
            Message = action.Message ?? "",
            StartedAt = action.StartedAt is { } started ? Timestamp.FromDateTimeOffset(started) : null,
            FinishedAt = action.FinishedAt is { } finished ? Timestamp.FromDateTimeOffset(finished) : null,
        };
        if (action.ExitCode is { } exitCode)
        {
            mapped.ExitCode = exitCode;
        }

        return mapped;
    }
}
