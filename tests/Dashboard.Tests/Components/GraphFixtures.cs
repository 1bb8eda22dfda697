using Farm.Api.V1;
using Google.Protobuf.WellKnownTypes;

namespace Farm.Dashboard.Tests.Components;

/// <summary>Executions as the API returns them, built tersely for component tests.</summary>
internal static class GraphFixtures
{
    public static readonly DateTimeOffset Start = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    public static ActionExecution Action(string name, int runOrder, ExecutionStatus status, string agent = "", double? seconds = null) =>
        new()
        {
            Name = name,
            RunOrder = runOrder,
            Status = status,
            Agent = agent,
            Type = "container",
            Attempt = status == ExecutionStatus.Pending ? 0 : 1,
            StartedAt = seconds is null ? null : Timestamp.FromDateTimeOffset(Start),
            FinishedAt = seconds is { } s && status != ExecutionStatus.InProgress ? Timestamp.FromDateTimeOffset(Start.AddSeconds(s)) : null,
        };

    public static StageExecution Stage(string name, ExecutionStatus status, params ActionExecution[] actions)
    {
        var stage = new StageExecution { Name = name, Status = status };
        stage.Actions.Add(actions);
        return stage;
    }

    public static Execution Execution(params StageExecution[] stages)
    {
        var execution = new Execution { Id = "hello-3", Pipeline = "hello", Status = ExecutionStatus.InProgress, StartedAt = Timestamp.FromDateTimeOffset(Start) };
        execution.Stages.Add(stages);
        return execution;
    }
}
