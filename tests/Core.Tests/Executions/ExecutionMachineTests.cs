using Farm.Core.Executions;
using Farm.Core.Pipelines;

namespace Farm.Core.Tests.Executions;

public sealed class ExecutionMachineTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private static readonly ResolvedAction Resolved = new(null, ["true"], new Dictionary<string, string>(), null, []);

    private static ActionDefinition Action(string name, int runOrder = 1, string? ns = null) =>
        new() { Name = name, Type = ActionType.Shell, RunOrder = runOrder, Commands = ["true"], Namespace = ns };

    private static StageDefinition Stage(string name, IReadOnlyList<ActionDefinition> actions) => new(name, actions);

    private static PipelineDefinition Pipeline(params StageDefinition[] stages) => new("p", [], stages);

    /// <summary>Creates the execution and enters stages as the grain does when nothing holds them.</summary>
    private static ExecutionRun Start(PipelineDefinition pipeline) =>
        EnterNext(ExecutionMachine.Create("p-1", pipeline, 1, new Dictionary<string, string>(), Now));

    private static ExecutionRun EnterNext(ExecutionRun run)
    {
        while (ExecutionMachine.NextStageToEnter(run) is { } next)
        {
            run = ExecutionMachine.Enter(run, next, Now);
        }

        return run;
    }

    private static ExecutionRun Run(ExecutionRun run, ActionRef at, bool succeeded, int exitCode = 0, Dictionary<string, string>? outputs = null)
    {
        run = ExecutionMachine.Queue(run, at, Resolved, out var attempt);
        run = ExecutionMachine.Started(run, attempt, "agent-1", Now);
        run = ExecutionMachine.Finished(run, attempt, succeeded, exitCode, succeeded ? null : $"exited with code {exitCode}", Now, outputs);
        return EnterNext(run);
    }

    private static string[] Names(ExecutionRun run, IReadOnlyList<ActionRef> refs) =>
        refs.Select(r => $"{run.Stages[r.Stage].Name}/{run.Stages[r.Stage].Actions[r.Action].Name}").ToArray();

    [Fact]
    public void Stages_run_in_order_and_execution_succeeds_after_the_last()
    {
        var run = Start(Pipeline(Stage("Build", [Action("a")]), Stage("Deploy", [Action("b")])));

        Assert.Equal(["Build/a"], Names(run, ExecutionMachine.ReadyActions(run)));
        Assert.Equal(RunStatus.Pending, run.Stages[1].Status);
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
    public void A_stage_is_not_entered_until_the_grain_enters_it_and_waiting_is_recorded()
    {
        var run = ExecutionMachine.Create("p-1", Pipeline(Stage("Build", [Action("a")])), 1, new Dictionary<string, string>(), Now);

        Assert.Empty(ExecutionMachine.ReadyActions(run));
        Assert.Equal(0, ExecutionMachine.NextStageToEnter(run));
        run = ExecutionMachine.Wait(run, 0, "stage 'Build' is busy with p-0");
        Assert.Equal((0, "stage 'Build' is busy with p-0"), (run.WaitingForStage, run.WaitingReason));
        run = ExecutionMachine.Enter(run, 0, Now);

        Assert.Null(run.WaitingForStage);
        Assert.Equal((RunStatus.InProgress, 1), (run.Stages[0].Status, run.Stages[0].Entries));
        Assert.Equal(["Build/a"], Names(run, ExecutionMachine.ReadyActions(run)));
    }

    [Fact]
    public void Same_run_order_is_ready_together_and_the_next_order_waits_for_all_of_it()
    {
        var run = Start(Pipeline(Stage("Test", [Action("unit", 1), Action("lint", 1), Action("report", 2)])));

        var ready = ExecutionMachine.ReadyActions(run);
        Assert.Equal(["Test/unit", "Test/lint"], Names(run, ready));
        run = ExecutionMachine.Queue(run, ready[0], Resolved, out var unit);
        run = ExecutionMachine.Queue(run, ready[1], Resolved, out var lint);
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
        run = ExecutionMachine.Queue(run, new(0, 0), Resolved, out var a);
        run = ExecutionMachine.Queue(run, new(0, 1), Resolved, out var b);

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
        Assert.Null(ExecutionMachine.NextStageToEnter(run));
    }

    [Fact]
    public void Stale_and_repeated_results_change_nothing()
    {
        var run = Start(Pipeline(Stage("Build", [Action("a")])));
        run = ExecutionMachine.Queue(run, new(0, 0), Resolved, out var attempt);
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

        run = ExecutionMachine.Queue(run, new(0, 0), Resolved, out var a);
        run = ExecutionMachine.Queue(run, new(0, 1), Resolved, out var b);

        Assert.Equal("p-1.1", a);
        Assert.Equal("p-1.2", b);
        Assert.Equal(first + 2, run.Revision);
        Assert.Equal(1, run.Stages[0].Actions[1].Attempt);
    }

    [Fact]
    public void Stop_without_abandon_lets_running_actions_finish_and_starts_nothing_new()
    {
        var run = Start(Pipeline(Stage("Build", [Action("a"), Action("b", 2)]), Stage("Deploy", [Action("c")])));
        run = ExecutionMachine.Queue(run, new(0, 0), Resolved, out var a);

        run = ExecutionMachine.Stop(run, abandon: false, "release freeze", Now, out var abandoned);
        Assert.Empty(abandoned);
        Assert.Equal(RunStatus.Stopping, run.Status);
        Assert.Empty(ExecutionMachine.ReadyActions(run));

        run = ExecutionMachine.Finished(run, a, true, 0, null, Now);
        Assert.Equal(RunStatus.Stopped, run.Status);
        Assert.Equal(RunStatus.Stopped, run.Stages[0].Status);
        Assert.Equal((RunStatus.Succeeded, RunStatus.Pending), (run.Stages[0].Actions[0].Status, run.Stages[0].Actions[1].Status));
        Assert.Equal("stopped: release freeze", run.Message);
        Assert.Null(ExecutionMachine.NextStageToEnter(run));
    }

    [Fact]
    public void Stop_with_abandon_marks_running_attempts_abandoned_and_stops_at_once()
    {
        var run = Start(Pipeline(Stage("Build", [Action("a"), Action("b")])));
        run = ExecutionMachine.Queue(run, new(0, 0), Resolved, out var a);
        run = ExecutionMachine.Queue(run, new(0, 1), Resolved, out var b);
        run = ExecutionMachine.Started(run, a, "agent-1", Now);

        run = ExecutionMachine.Stop(run, abandon: true, "wrong branch", Now, out var abandoned);

        Assert.Equal([a, b], abandoned);
        Assert.Equal(RunStatus.Stopped, run.Status);
        Assert.All(run.Stages[0].Actions, x => Assert.Equal((RunStatus.Abandoned, "abandoned: wrong branch"), (x.Status, x.Message)));
        Assert.Same(run, ExecutionMachine.Finished(run, a, true, 0, null, Now));
        Assert.Throws<ExecutionRuleException>(() => ExecutionMachine.Stop(run, false, "again", Now, out _));
    }

    [Fact]
    public void Retry_of_failed_actions_keeps_their_history_and_leaves_succeeded_ones()
    {
        var run = Start(Pipeline(Stage("Test", [Action("ok"), Action("flaky")]), Stage("Deploy", [Action("d")])));
        run = Run(run, new(0, 0), succeeded: true);
        run = Run(run, new(0, 1), succeeded: false, exitCode: 2);
        Assert.Equal(RunStatus.Failed, run.Status);

        run = EnterNext(ExecutionMachine.Retry(run, "Test", all: false, Now));

        Assert.Equal(RunStatus.InProgress, run.Status);
        Assert.Equal((RunStatus.InProgress, 2), (run.Stages[0].Status, run.Stages[0].Entries));
        Assert.Equal(["Test/flaky"], Names(run, ExecutionMachine.ReadyActions(run)));
        var flaky = run.Stages[0].Actions[1];
        var earlier = Assert.Single(flaky.PreviousAttempts);
        Assert.Equal(("p-1.2", RunStatus.Failed, 2), (earlier.AttemptId, earlier.Status, earlier.ExitCode));
        run = Run(run, new(0, 1), succeeded: true);
        run = Run(run, new(1, 0), succeeded: true);
        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal((2, "p-1.3"), (run.Stages[0].Actions[1].Attempt, run.Stages[0].Actions[1].AttemptId));
    }

    [Fact]
    public void Retry_all_runs_every_action_again_and_retry_is_refused_where_nothing_failed()
    {
        var run = Start(Pipeline(Stage("Test", [Action("ok"), Action("bad")]), Stage("Deploy", [Action("d")])));
        run = Run(run, new(0, 0), succeeded: true);
        run = Run(run, new(0, 1), succeeded: false, exitCode: 1);

        var noStage = Assert.Throws<ExecutionRuleException>(() => ExecutionMachine.Retry(run, "Nope", false, Now));
        var notFailed = Assert.Throws<ExecutionRuleException>(() => ExecutionMachine.Retry(run, "Deploy", false, Now));
        run = EnterNext(ExecutionMachine.Retry(run, "Test", all: true, Now));
        var running = Assert.Throws<ExecutionRuleException>(() => ExecutionMachine.Retry(run, "Test", false, Now));

        Assert.Equal("Execution 'p-1' has no stage 'Nope'; its stages are Test, Deploy.", noStage.Message);
        Assert.Equal("Stage 'Deploy' of execution 'p-1' is Pending: only a stage that failed or was stopped can be retried.", notFailed.Message);
        Assert.Equal("Execution 'p-1' is InProgress: only a failed or stopped execution can retry a stage.", running.Message);
        Assert.Equal(["Test/ok", "Test/bad"], Names(run, ExecutionMachine.ReadyActions(run)));
    }

    [Fact]
    public void OnFailure_retry_runs_failed_actions_again_up_to_its_limit_then_fails()
    {
        var stage = Stage("Test", [Action("flaky")]) with { OnFailure = new FailureHandling(FailureResult.Retry, 2) };
        var run = Start(Pipeline(stage));

        run = Run(run, new(0, 0), succeeded: false, exitCode: 1);
        Assert.Equal((RunStatus.InProgress, 1), (run.Status, run.Stages[0].AutomaticRetries));
        run = Run(run, new(0, 0), succeeded: false, exitCode: 1);
        Assert.Equal(RunStatus.InProgress, run.Status);
        run = Run(run, new(0, 0), succeeded: false, exitCode: 1);

        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Equal((3, 2), (run.Stages[0].Actions[0].Attempt, run.Stages[0].Actions[0].PreviousAttempts.Count));
    }

    [Fact]
    public void BeforeEntry_rules_skip_or_fail_the_stage()
    {
        var rule = new EntryConditions(EntryResult.Skip, [new EntryRule("#{variables.env}", RuleOperator.Equal, "prod")]);
        var pipeline = new PipelineDefinition("p", [new("env", "dev", "")],
            [Stage("Build", [Action("a")]), Stage("Prod", [Action("b")]) with { BeforeEntry = rule }, Stage("Report", [Action("c")])]);
        var failing = pipeline with { Stages = [pipeline.Stages[0], pipeline.Stages[1] with { BeforeEntry = rule with { Result = EntryResult.Fail } }] };

        var skipped = EnterNext(Run(EnterNext(ExecutionMachine.Create("p-1", pipeline, 1, new Dictionary<string, string> { ["env"] = "dev" }, Now)), new(0, 0), true));
        var failed = EnterNext(Run(EnterNext(ExecutionMachine.Create("p-2", failing, 1, new Dictionary<string, string> { ["env"] = "dev" }, Now)), new(0, 0), true));
        var entered = EnterNext(Run(EnterNext(ExecutionMachine.Create("p-3", pipeline, 1, new Dictionary<string, string> { ["env"] = "prod" }, Now)), new(0, 0), true));

        Assert.Equal(RunStatus.Skipped, skipped.Stages[1].Status);
        Assert.Equal("skipped by its beforeEntry rule: '#{variables.env}' is 'dev', which does not equal 'prod'", skipped.Stages[1].Message);
        Assert.Equal(RunStatus.InProgress, skipped.Stages[2].Status);
        Assert.Equal(RunStatus.Failed, failed.Status);
        Assert.Equal("Stage 'Prod' failed: its beforeEntry rule failed: '#{variables.env}' is 'dev', which does not equal 'prod'.", failed.Message);
        Assert.Equal(RunStatus.InProgress, entered.Stages[1].Status);
    }

    [Fact]
    public void Waiting_execution_superseded_ends_with_the_newer_ones_id()
    {
        var run = ExecutionMachine.Wait(ExecutionMachine.Create("p-1", Pipeline(Stage("Build", [Action("a")])), 1, new Dictionary<string, string>(), Now), 0, "busy");

        run = ExecutionMachine.Supersede(run, "p-2", Now);

        Assert.Equal((RunStatus.Superseded, "superseded by p-2"), (run.Status, run.Message));
        Assert.Null(run.WaitingForStage);
        Assert.True(run.IsFinished);
    }

    [Fact]
    public void Rollback_runs_one_stage_with_the_targets_variables_outputs_and_artifacts()
    {
        var pipeline = new PipelineDefinition("p", [new("env", "dev", "")],
            [Stage("Build", [Action("make", ns: "Make")]), Stage("Deploy", [Action("push")])]);
        var target = EnterNext(ExecutionMachine.Create("p-4", pipeline, 3, new Dictionary<string, string> { ["env"] = "prod" }, Now));
        target = ExecutionMachine.Queue(target, new(0, 0), Resolved, out var make);
        target = EnterNext(ExecutionMachine.Finished(target, make, true, 0, null, Now,
            new Dictionary<string, string> { ["version"] = "1.4" }, [new ArtifactRef("bundle", new string('a', 64), 10)]));
        target = Run(target, new(1, 0), succeeded: true);

        var rollback = EnterNext(ExecutionMachine.CreateRollback("p-9", pipeline, target, "Deploy", Now));
        var refused = Assert.Throws<ExecutionRuleException>(() => ExecutionMachine.CreateRollback("p-10", pipeline, rollback, "Build", Now));

        Assert.Equal((ExecutionRun.RollbackTrigger, 3, "prod"), (rollback.Trigger, rollback.PipelineVersion, rollback.Variables["env"]));
        Assert.Equal((RunStatus.Skipped, RunStatus.InProgress), (rollback.Stages[0].Status, rollback.Stages[1].Status));
        Assert.Equal("1.4", ActionResolver.Values(rollback)["Make.version"]);
        Assert.Equal("bundle", Assert.Single(rollback.Inherited!.Artifacts).Name);
        Assert.Equal("Stage 'Build' did not succeed in execution 'p-9' (it is Skipped); roll back to an execution in which it succeeded.", refused.Message);
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
        var pipeline = new PipelineDefinition("p", [new("greeting", "hi", ""), new("target", "", "")], [Stage("S", [Action("a")])]);

        var values = StartVariables.Resolve(pipeline,
            new Dictionary<string, string> { ["greeting"] = "hello", ["colour"] = "red" }, out var errors);

        Assert.Equal("hello", values["greeting"]);
        Assert.Equal("", values["target"]);
        Assert.Equal(["Pipeline 'p' has no variable 'colour' (it declares greeting, target)."], errors);
    }

    [Fact]
    public void A_lost_attempt_runs_again_within_retry_on_agent_lost_then_fails()
    {
        var action = Action("build") with { Retry = new RetryPolicy(1) };
        var run = Start(Pipeline(Stage("Build", [action])));
        run = ExecutionMachine.Queue(run, new(0, 0), Resolved, out var first);
        run = ExecutionMachine.Started(run, first, "agent-1", Now);

        run = ExecutionMachine.Lost(run, first, "was lost: agent 'agent-1' stopped reporting it", Now);
        Assert.Equal(RunStatus.InProgress, run.Status);
        Assert.Equal(["Build/build"], Names(run, ExecutionMachine.ReadyActions(run)));
        var earlier = Assert.Single(run.Stages[0].Actions[0].PreviousAttempts);
        Assert.Equal((first, RunStatus.Failed, "agent-1"), (earlier.AttemptId, earlier.Status, earlier.Agent));

        run = ExecutionMachine.Queue(run, new(0, 0), Resolved, out var second);
        run = ExecutionMachine.Lost(run, second, "was lost again", Now);
        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Equal("Stage 'Build' failed: action 'build' was lost again.", run.Message);
        Assert.Same(run, ExecutionMachine.Lost(run, first, "stale", Now));
    }
}
