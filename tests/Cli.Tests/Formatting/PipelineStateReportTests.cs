using Farm.Api.V1;
using Farm.Cli.Formatting;

namespace Farm.Cli.Tests.Formatting;

public sealed class PipelineStateReportTests
{
    [Fact]
    public void Report_lists_each_stage_with_its_transition_and_executions()
    {
        var state = new PipelineState { Name = "hello", Version = 3, ExecutionMode = "superseded" };
        state.Stages.Add(new StageState { Name = "Build", TransitionEnabled = true, ExecutionIds = { "hello-7" } });
        state.Stages.Add(new StageState { Name = "Deploy", TransitionEnabled = false, DisabledReason = "release freeze", WaitingExecutionIds = { "hello-6" } });
        state.Stages.Add(new StageState { Name = "Verify", TransitionEnabled = false });

        var report = PipelineStateReport.Format(state);

        Assert.Equal(
            "Pipeline  hello v3\n"
            + "Mode      superseded\n"
            + "\n"
            + "STAGE   TRANSITION                 RUNNING  WAITING\n"
            + "Build   enabled                    hello-7  -\n"
            + "Deploy  disabled (release freeze)  -        hello-6\n"
            + "Verify  disabled                   -        -\n",
            report);
    }
}
