using Farm.Api.V1;
using Farm.Cli.Formatting;
using Google.Protobuf.WellKnownTypes;

namespace Farm.Cli.Tests.Progress;

/// <summary>Hand-made execution states for progress tests: one pipeline, Build (compile) then Test (unit).</summary>
internal static class States
{
    public static readonly DateTimeOffset Start = new(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);

    public static Execution Execution(ExecutionStatus status, ActionExecution compile, ActionExecution unit, string message = "")
    {
        var execution = new Execution
        {
            Id = "build-7",
            Pipeline = "build",
            PipelineVersion = 3,
            Status = status,
            StartedAt = Timestamp.FromDateTimeOffset(Start),
            Message = message,
        };
        if (Display.IsFinal(status))
        {
            execution.FinishedAt = Timestamp.FromDateTimeOffset(Start.AddSeconds(75));
        }

        execution.Stages.Add(Stage("Build", compile));
        execution.Stages.Add(Stage("Test", unit));
        return execution;
    }

    public static ActionExecution Pending(string name) => new() { Name = name, Status = ExecutionStatus.Pending };

    public static ActionExecution Queued(string name, int attempt = 1, string message = "") =>
        new() { Name = name, Status = ExecutionStatus.Queued, Attempt = attempt, AttemptId = $"a{attempt}", Message = message };

    public static ActionExecution Running(string name, string agent, int attempt = 1) =>
        new()
        {
            Name = name, Status = ExecutionStatus.InProgress, Attempt = attempt, AttemptId = $"a{attempt}", Agent = agent,
            StartedAt = Timestamp.FromDateTimeOffset(Start.AddSeconds(1)),
        };

    public static ActionExecution Ended(string name, ExecutionStatus status, string agent, double seconds, int? exitCode = null, string message = "", int attempt = 1)
    {
        var action = Running(name, agent, attempt);
        action.Status = status;
        action.FinishedAt = Timestamp.FromDateTimeOffset(Start.AddTicks((long)Math.Round((1 + seconds) * TimeSpan.TicksPerSecond)));
        action.Message = message;
        if (exitCode is { } code)
        {
            action.ExitCode = code;
        }

        return action;
    }

    private static StageExecution Stage(string name, ActionExecution action)
    {
        var status = action.Status switch
        {
            ExecutionStatus.Queued => ExecutionStatus.InProgress,
            var other => other,
        };
        var stage = new StageExecution { Name = name, Status = status };
        stage.Actions.Add(action);
        return stage;
    }
}
