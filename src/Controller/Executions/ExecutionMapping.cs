using Farm.Api.V1;
using ArtifactRef = Farm.Core.Executions.ArtifactRef;
using ResolvedAction = Farm.Api.V1.ResolvedAction;
using AttemptRecord = Farm.Api.V1.AttemptRecord;
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
        RunStatus.Stopping => ExecutionStatus.Stopping,
        RunStatus.Stopped => ExecutionStatus.Stopped,
        RunStatus.Superseded => ExecutionStatus.Superseded,
        RunStatus.Abandoned => ExecutionStatus.Abandoned,
        RunStatus.Skipped => ExecutionStatus.Skipped,
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    /// <summary>The run status an API status filter names; null for UNSPECIFIED and QUEUED, which no execution has.</summary>
    public static RunStatus? FromProto(this ExecutionStatus status) => status switch
    {
        ExecutionStatus.Pending => RunStatus.Pending,
        ExecutionStatus.InProgress => RunStatus.InProgress,
        ExecutionStatus.Succeeded => RunStatus.Succeeded,
        ExecutionStatus.Failed => RunStatus.Failed,
        ExecutionStatus.Stopping => RunStatus.Stopping,
        ExecutionStatus.Stopped => RunStatus.Stopped,
        ExecutionStatus.Superseded => RunStatus.Superseded,
        _ => null,
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
            Trigger = run.Trigger,
            RollbackOf = run.Inherited?.ExecutionId ?? "",
            WaitingForStage = ExecutionHistory.WaitingStageName(run),
            WaitingReason = run.WaitingReason ?? "",
            TriggeredBy = run.TriggeredBy ?? "",
        };
        execution.Sources.Add(SourceSummary.Of(run).Select(ToProto));
        foreach (var (name, value) in run.Variables)
        {
            execution.Variables[name] = value;
        }

        execution.Stages.Add(run.Stages.Select(stage =>
        {
            var mapped = new StageExecution { Name = stage.Name, Status = stage.Status.ToProto(), Entries = stage.Entries, Message = stage.Message ?? "" };
            mapped.Actions.Add(stage.Actions.Select(a => a.ToProto(stage.Name)));
            return mapped;
        }));
        return execution;
    }

    /// <summary>A list row: what the history row holds, with every field it does not hold named in <c>left_out</c>.</summary>
    public static Execution ToProto(this ExecutionSummary summary)
    {
        var execution = new Execution
        {
            Id = summary.Id,
            Pipeline = summary.Pipeline,
            PipelineVersion = summary.PipelineVersion,
            Status = summary.Status.ToProto(),
            StartedAt = Timestamp.FromDateTimeOffset(summary.StartedAt),
            FinishedAt = summary.FinishedAt is { } finished ? Timestamp.FromDateTimeOffset(finished) : null,
            Message = summary.Message ?? "",
            Trigger = summary.Trigger,
            TriggeredBy = summary.TriggeredBy ?? "",
            RollbackOf = summary.RollbackOf ?? "",
            WaitingForStage = summary.WaitingForStage ?? "",
            WaitingReason = summary.WaitingReason ?? "",
        };
        execution.Sources.Add(summary.Sources?.Select(ToProto) ?? []);
        foreach (var (name, value) in summary.Variables ?? new Dictionary<string, string>())
        {
            execution.Variables[name] = value;
        }

        // A history row holds no stages and is not written at every change (revision). What a row
        // written before migration 6 did not store is null: unknown, so left out rather than shown empty.
        (object? Stored, int Field)[] stored =
        [
            (summary.TriggeredBy, Execution.TriggeredByFieldNumber),
            (summary.RollbackOf, Execution.RollbackOfFieldNumber),
            (summary.WaitingForStage, Execution.WaitingForStageFieldNumber),
            (summary.WaitingReason, Execution.WaitingReasonFieldNumber),
            (summary.Variables, Execution.VariablesFieldNumber),
            (summary.Sources, Execution.SourcesFieldNumber),
        ];
        execution.LeftOut = new FieldMask();
        execution.LeftOut.Paths.Add(((int[])[Execution.StagesFieldNumber, Execution.RevisionFieldNumber, .. stored.Where(s => s.Stored is null).Select(s => s.Field)])
            .Select(field => Execution.Descriptor.FindFieldByNumber(field).Name));
        return execution;
    }

    public static Artifact ToProto(this ArtifactRef artifact, string stage, string action, string fromExecution) => new()
    {
        Name = artifact.Name,
        Sha256 = artifact.Sha256,
        Size = artifact.Size,
        Stage = stage,
        Action = action,
        FromExecutionId = fromExecution,
    };

    private static SourceRevision ToProto(SourceSummary source) => new()
    {
        Action = source.Action,
        Repository = source.Repository,
        Ref = source.Ref ?? "",
        Commit = source.Commit,
        Author = source.Author ?? "",
        Message = source.Message ?? "",
        CommittedAt = Time(source.CommittedAt),
        Url = source.Url ?? "",
    };

    private static Timestamp? Time(DateTimeOffset? value) => value is { } time ? Timestamp.FromDateTimeOffset(time) : null;

    private static ActionExecution ToProto(this ActionRun action, string stage)
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

        mapped.Namespace = action.Namespace ?? "";
        foreach (var (key, value) in action.Outputs)
        {
            mapped.Outputs[key] = value;
        }

        mapped.Artifacts.Add(action.Artifacts.Select(a => a.ToProto(stage, action.Name, "")));
        if (action.Resolved is { } resolved)
        {
            mapped.Resolved = new ResolvedAction { Image = resolved.Image ?? "", Network = resolved.Network ?? "" };
            mapped.Resolved.Commands.Add(resolved.Commands);
            foreach (var (name, value) in resolved.Env)
            {
                mapped.Resolved.Env[name] = value;
            }

            mapped.Resolved.InputArtifacts.Add(resolved.InputArtifacts.Select(a => a.Name));
        }

        if (action.Approval is { } approval)
        {
            mapped.Approval = new Approval
            {
                Message = approval.Message,
                ReviewUrl = approval.ReviewUrl ?? "",
                Deadline = Timestamp.FromDateTimeOffset(approval.Deadline),
                Decision = approval.Approved switch { true => "approved", false => "rejected", null => "" },
                DecidedBy = approval.DecidedBy ?? "",
                DecidedAt = Time(approval.DecidedAt),
                Comment = approval.Comment ?? "",
            };
        }

        foreach (var earlier in action.PreviousAttempts)
        {
            var record = new AttemptRecord
            {
                AttemptId = earlier.AttemptId,
                Status = earlier.Status.ToProto(),
                Agent = earlier.Agent ?? "",
                Message = earlier.Message ?? "",
                StartedAt = Time(earlier.StartedAt),
                FinishedAt = Time(earlier.FinishedAt),
            };
            if (earlier.ExitCode is { } code)
            {
                record.ExitCode = code;
            }

            mapped.PreviousAttempts.Add(record);
        }

        return mapped;
    }
}
