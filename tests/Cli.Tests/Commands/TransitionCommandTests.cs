using Farm.Api.V1;
using Farm.Cli.Commands;

namespace Farm.Cli.Tests.Commands;

public sealed class TransitionCommandTests
{
    private static PipelineState State()
    {
        var state = new PipelineState { Name = "hello", Version = 3, ExecutionMode = "queued", Revision = 9 };
        state.Stages.Add(new StageState { Name = "Build", TransitionEnabled = true, ExecutionIds = { "hello-6" } });
        state.Stages.Add(new StageState
        {
            Name = "Deploy", TransitionEnabled = false, DisabledReason = "release freeze", WaitingExecutionIds = { "hello-4", "hello-5" },
        });
        return state;
    }

    [Fact]
    public void Report_is_the_changed_stages_line()
    {
        Assert.Equal(
            "hello/Deploy: transition disabled (release freeze); running none; waiting hello-4, hello-5",
            TransitionCommand.Report(State(), "Deploy", json: false));
        Assert.Equal(
            "hello/Build: transition enabled; running hello-6; waiting none",
            TransitionCommand.Report(State(), "Build", json: false));
    }

    [Fact]
    public void Report_as_json_is_the_whole_pipeline_state()
    {
        var json = TransitionCommand.Report(State(), "Deploy", json: true);

        Assert.Contains("\"disabledReason\": \"release freeze\"", json);
        Assert.Contains("\"executionMode\": \"queued\"", json);
    }

    [Fact]
    public void Report_for_a_stage_the_answer_lacks_says_so()
    {
        var error = Assert.Throws<CliException>(() => TransitionCommand.Report(State(), "Test", json: false));

        Assert.Equal("the controller answered with the state of hello, which has no stage 'Test'; see `farm pipeline hello`.", error.Message);
    }
}
