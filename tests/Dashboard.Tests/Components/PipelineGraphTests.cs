using Bunit;
using Farm.Api.V1;
using Farm.Core.Pipelines;
using Farm.Dashboard.Components.Graph;
using static Farm.Dashboard.Tests.Components.GraphFixtures;

namespace Farm.Dashboard.Tests.Components;

public sealed class PipelineGraphTests : BunitContext
{
    private static readonly Execution Running = Execution(
        Stage("Build", ExecutionStatus.Succeeded, Action("compile", 1, ExecutionStatus.Succeeded, "agent-a", 2.5)),
        Stage("Test", ExecutionStatus.InProgress,
            Action("report", 2, ExecutionStatus.Pending),
            Action("unit", 1, ExecutionStatus.InProgress, "agent-a", 4),
            Action("lint", 1, ExecutionStatus.Failed, "agent-b", 1)),
        Stage("Deploy", ExecutionStatus.Pending, Action("release", 1, ExecutionStatus.Pending)));

    private IRenderedComponent<PipelineGraph> RenderGraph(Execution? execution, PipelineState? state = null, bool canOperate = false, PipelineDefinition? definition = null) =>
        Render<PipelineGraph>(p => p
            .Add(g => g.Stages, GraphBuilder.Build(definition, execution, state, Start.AddSeconds(10)))
            .Add(g => g.ExecutionId, execution?.Id)
            .Add(g => g.CanOperate, canOperate)
            .Add(g => g.OnTransitionToggle, _ => { }));

    [Fact]
    public void Stages_are_drawn_in_execution_order()
    {
        var graph = RenderGraph(Running);

        var stages = graph.FindAll("li.stage").Select(s => s.GetAttribute("data-stage"));

        Assert.Equal(["Build", "Test", "Deploy"], stages);
    }

    [Fact]
    public void Actions_with_the_same_run_order_share_a_row_and_rows_go_by_run_order()
    {
        var graph = RenderGraph(Running);

        var rows = graph.FindAll("li.stage[data-stage='Test'] li.row")
            .Select(row => (row.GetAttribute("data-run-order"), string.Join(",", row.QuerySelectorAll("li.node").Select(n => n.GetAttribute("data-action")))))
            .ToArray();

        Assert.Equal([("1", "Test/unit,Test/lint"), ("2", "Test/report")], rows);
    }

    [Fact]
    public void Each_node_shows_status_by_icon_word_and_class_with_duration_and_agent()
    {
        var graph = RenderGraph(Running);

        var failed = graph.Find("li.node[data-action='Test/lint']");
        var running = graph.Find("li.node[data-action='Test/unit']");

        Assert.Equal(("failed", "✗", "Failed"), (failed.GetAttribute("data-status"), failed.QuerySelector(".icon")!.TextContent, failed.QuerySelector(".status-word")!.TextContent));
        Assert.Contains("status-failed", failed.ClassName);
        Assert.Equal(("1.0 s", "agent-b"), (failed.QuerySelector(".duration")!.TextContent, failed.QuerySelector(".agent")!.TextContent));
        // Still running: its duration counts up to the graph's "now", ten seconds after the start.
        Assert.Equal(("↻", "10.0 s"), (running.QuerySelector(".icon")!.TextContent, running.QuerySelector(".duration")!.TextContent));
    }

    [Fact]
    public void Nodes_have_names_for_screen_readers_and_link_to_the_action()
    {
        var graph = RenderGraph(Running);

        var link = graph.Find("li.node[data-action='Build/compile'] a");

        Assert.Equal("Action compile, Succeeded, 2.5 s, on agent agent-a", link.GetAttribute("aria-label"));
        Assert.Equal("executions/hello-3?action=Build%2Fcompile", link.GetAttribute("href"));
    }

    [Fact]
    public void A_disabled_transition_shows_its_reason_on_the_arrow_and_operators_may_enable_it()
    {
        var state = new PipelineState { Name = "hello" };
        state.Stages.Add(new StageState { Name = "Build", TransitionEnabled = true });
        state.Stages.Add(new StageState { Name = "Test", TransitionEnabled = true });
        state.Stages.Add(new StageState { Name = "Deploy", TransitionEnabled = false, DisabledReason = "release freeze", WaitingExecutionIds = { "hello-3" } });

        var forOperator = RenderGraph(Running, state, canOperate: true);
        var arrow = forOperator.Find("li.transition[data-transition='Deploy']");

        Assert.Contains("disabled", arrow.ClassName);
        Assert.Equal("release freeze", arrow.QuerySelector(".reason")!.TextContent);
        Assert.Equal("Transition into Deploy: disabled, release freeze", arrow.GetAttribute("aria-label"));
        Assert.Contains("waiting: hello-3", arrow.TextContent);
        Assert.StartsWith("Enable transition", arrow.QuerySelector("button")!.TextContent);
        Assert.Equal(["Disable transition into Test", "Enable transition into Deploy"],
            forOperator.FindAll("li.transition button").Select(b => b.TextContent));
    }

    [Fact]
    public void A_viewer_is_offered_no_operations()
    {
        var graph = RenderGraph(Running, canOperate: false);

        Assert.Empty(graph.FindAll("button"));
    }

    [Fact]
    public void A_pipeline_that_never_ran_is_drawn_from_its_definition_without_links()
    {
        var definition = PipelineParser.Parse("""
            name: fresh
            stages:
              - name: Only
                actions:
                  - { name: a, type: shell, commands: [ "true" ], runOrder: 2 }
                  - { name: b, type: shell, commands: [ "true" ], runOrder: 1 }
            """).Pipeline!;

        var graph = RenderGraph(null, definition: definition);

        Assert.Equal(["Only/b", "Only/a"], graph.FindAll("li.node").Select(n => n.GetAttribute("data-action")));
        Assert.All(graph.FindAll("li.node"), node => Assert.Equal("none", node.GetAttribute("data-status")));
        Assert.Empty(graph.FindAll("li.node a"));
    }

    [Fact]
    public void Failed_stage_of_a_finished_execution_offers_retry_of_failed_or_all_actions()
    {
        var failed = Execution(Stage("Test", ExecutionStatus.Failed, Action("lint", 1, ExecutionStatus.Failed, "agent-b", 1)));
        failed.Status = ExecutionStatus.Failed;
        StageRetry? asked = null;

        var graph = Render<PipelineGraph>(p => p
            .Add(g => g.Stages, GraphBuilder.Build(null, failed, null, Start))
            .Add(g => g.ExecutionId, failed.Id)
            .Add(g => g.ExecutionFinal, true)
            .Add(g => g.CanOperate, true)
            .Add(g => g.OnRetry, retry => asked = retry));
        graph.FindAll("li.stage[data-stage='Test'] .stage-actions button")[1].Click();

        Assert.Equal(new StageRetry("Test", true), asked);
    }
}
