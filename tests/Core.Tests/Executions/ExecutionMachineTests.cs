using Farm.Core.Executions;
using Farm.Core.Pipelines;

namespace Farm.Core.Tests.Executions;

public sealed class ExecutionMachineTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    private static ActionDefinition Action(string name, int runOrder = 1) =>
        new() { Name = name, Type = ActionType.Shell, RunOrder = runOrder, Commands = ["true"] };

    private static StageDefinition Stage(string name, IReadOnlyList<ActionDefinition> actions) => new(name, actions);

    private static PipelineDefinition Pipeline(params StageDefinition[] stages) => new("p", [], stages);

    private static ExecutionRun Start(PipelineDefinition pipeline) =>
        ExecutionMachine.Create("p-1", pipeline, 1, new Dictionary<string, string>(), Now);

    private static ExecutionRun Run(ExecutionRun run, ActionRef at, bool succeeded, int exitCode = 0)
    {
        run = ExecutionMachine.Queue(run, at, out var attempt);
        run = ExecutionMachine.Started(run, attempt, "agent-1", Now);
        return ExecutionMachine.Finished(run, attempt, succeeded, exitCode, succeeded ? null : $"exited with code {exitCode}", Now);
    }

    private static string[] Names(ExecutionRun run, IReadOnlyList<ActionRef> refs) =>
        refs.Select(r => $"{run.Stages[r.Stage].Name}/{run.Stages[r.Stage].Actions[r.Action].Name}").ToArray();

    [Fact]
    public void Stages_run_in_order_and_execution_succeeds_after_the_last()
    {
        var run = Start(Pipeline(Stage("Build", [Action("a")]), Stage("Deploy", [Action("b")])));

        Assert.Equal(["Build/a"], Names(run, ExecutionMachine.ReadyActions(run)));
        run = Run(run, new(0, 0), succeeded: true);
        Assert.Equal(RunStatus.Succeeded, run.Stages[0].Status);
        Assert.Equal(RunStatus.InProgress, run.Status);
        Assert.Equal(["Deploy/b"], Names(run, ExecutionMachine.ReadyActions(run)));
        run = Run(run, new(1, 0), succeeded: true);

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal(Now, run.FinishedAt);
        Assert.Empty(ExecutionMachine.ReadyActions(run));
    }

    [Fact]
    public void Same_run_order_is_ready_together_and_the_next_order_waits_for_all_of_it()
    {
        var run = Start(Pipeline(Stage("Test", [Action("unit", 1), Action("lint", 1), Action("report", 2)])));

        var ready = ExecutionMachine.ReadyActions(run);
        Assert.Equal(["Test/unit", "Test/lint"], Names(run, ready));
        run = ExecutionMachine.Queue(run, ready[0], out var unit);
        run = ExecutionMachine.Queue(run, ready[1], out var lint);
        Assert.Empty(ExecutionMachine.ReadyActions(run));

        run = ExecutionMachine.Finished(run, unit, true, 0, null, Now);
        Assert.Empty(ExecutionMachine.ReadyActions(run));
        run = ExecutionMachine.Finished(run, lint, true, 0, null, Now);
        Assert.Equal(["Test/report"], Names(run, ExecutionMachine.ReadyActions(run)));
    }

    [Fact]
    public void Failed_action_lets_its_sibling_finish_then_fails_stage_and_execution()
    {
        var run = Start(Pipeline(Stage("Test", [Action("a"), Action("b"), Action("c", 2)]), Stage("Deploy", [Action("d")])));
        run = ExecutionMachine.Queue(run, new(0, 0), out var a);
        run = ExecutionMachine.Queue(run, new(0, 1), out var b);

        run = ExecutionMachine.Finished(run, a, false, 3, "exited with code 3", Now);
        Assert.Equal(RunStatus.InProgress, run.Stages[0].Status);
        Assert.Equal(RunStatus.InProgress, run.Status);
        Assert.Empty(ExecutionMachine.ReadyActions(run));

        run = ExecutionMachine.Finished(run, b, true, 0, null, Now);
        Assert.Equal(RunStatus.Failed, run.Stages[0].Status);
        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Equal("Stage 'Test' failed: action 'a' exited with code 3.", run.Message);
        Assert.Equal(RunStatus.Pending, run.Stages[0].Actions[2].Status);
        Assert.Equal(RunStatus.Pending, run.Stages[1].Status);
        Assert.Empty(ExecutionMachine.ReadyActions(run));
    }

    [Fact]
    public void Stale_and_repeated_results_change_nothing()
    {
        var run = Start(Pipeline(Stage("Build", [Action("a")])));
        run = ExecutionMachine.Queue(run, new(0, 0), out var attempt);
        run = ExecutionMachine.Finished(run, attempt, false, 1, "exited with code 1", Now);

        Assert.Same(run, ExecutionMachine.Finished(run, attempt, true, 0, null, Now));
        Assert.Same(run, ExecutionMachine.Started(run, attempt, "other", Now));
        Assert.Same(run, ExecutionMachine.Finished(run, "p-1.99", true, 0, null, Now));
    }

    [Fact]
    public void Each_transition_raises_the_revision_and_numbers_attempts_in_the_execution()
    {
        var run = Start(Pipeline(Stage("Build", [Action("a"), Action("b")])));
        var first = run.Revision;

        run = ExecutionMachine.Queue(run, new(0, 0), out var a);
        run = ExecutionMachine.Queue(run, new(0, 1), out var b);

        Assert.Equal("p-1.1", a);
        Assert.Equal("p-1.2", b);
        Assert.Equal(first + 2, run.Revision);
        Assert.Equal(1, run.Stages[0].Actions[1].Attempt);
    }

    [Theory]
    [InlineData("hello-3.1", "hello-3")]
    [InlineData("a.b-12.40", "a.b-12")]
    [InlineData("hello-3", null)]
    [InlineData("hello-3.", null)]
    [InlineData("hello-3.x1", null)]
    public void Attempt_id_leads_back_to_its_execution(string attemptId, string? execution)
    {
        Assert.Equal(execution, AttemptIds.ExecutionOf(attemptId));
    }

    [Fact]
    public void Start_overrides_declared_variables_and_names_each_undeclared_one()
    {
        var pipeline = new PipelineDefinition("p", [new("greeting", "hi", ""), new("target", "", "")], [new("S", [Action("a")])]);

        var values = StartVariables.Resolve(pipeline,
            new Dictionary<string, string> { ["greeting"] = "hello", ["colour"] = "red" }, out var errors);

        Assert.Equal("hello", values["greeting"]);
        Assert.Equal("", values["target"]);
        Assert.Equal(["Pipeline 'p' has no variable 'colour' (it declares greeting, target)."], errors);
    }
}
