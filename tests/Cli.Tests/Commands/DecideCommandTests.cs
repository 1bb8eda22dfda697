using Farm.Api.V1;
using Farm.Cli.Commands;

namespace Farm.Cli.Tests.Commands;

public sealed class DecideCommandTests
{
    private static Execution Gated()
    {
        var gate = new StageExecution { Name = "Gate" };
        gate.Actions.Add(new ActionExecution { Name = "sign-off", Type = "approval" });
        var deploy = new StageExecution { Name = "Deploy" };
        deploy.Actions.Add(new ActionExecution { Name = "ship" });
        return new Execution { Id = "gated-4", Stages = { gate, deploy } };
    }

    [Fact]
    public void Bare_action_name_is_resolved_to_its_stage_in_the_request()
    {
        // Arrange
        var path = ActionSelector.Resolve(Gated(), "sign-off");

        // Act
        var request = DecideCommand.Request("gated-4", path, approve: true, "  checked staging \n");

        // Assert
        Assert.Equal("gated-4", request.ExecutionId);
        Assert.Equal("Gate", request.Stage);
        Assert.Equal("sign-off", request.Action);
        Assert.True(request.Approve);
        Assert.Equal("checked staging", request.Comment);
    }

    [Fact]
    public void Reject_without_a_comment_sends_an_empty_one()
    {
        var request = DecideCommand.Request("gated-4", new ActionPath("Gate", "sign-off"), approve: false, comment: null);

        Assert.False(request.Approve);
        Assert.Equal("", request.Comment);
    }

    [Fact]
    public void Unknown_action_is_refused_before_any_decision_with_the_choices()
    {
        var error = Assert.Throws<CliException>(() => ActionSelector.Resolve(Gated(), "Gate/signoff"));

        Assert.Equal("execution gated-4 has no action 'Gate/signoff'; its actions are Gate/sign-off, Deploy/ship.", error.Message);
    }

    [Theory]
    [InlineData(true, "approved gated-4 Gate/sign-off")]
    [InlineData(false, "rejected gated-4 Gate/sign-off")]
    public void Confirmation_names_the_decision_the_execution_and_the_action(bool approve, string expected)
    {
        Assert.Equal(expected, DecideCommand.Confirmation("gated-4", new ActionPath("Gate", "sign-off"), approve));
    }
}
