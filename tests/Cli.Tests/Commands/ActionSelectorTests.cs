using Farm.Api.V1;
using Farm.Cli.Commands;

namespace Farm.Cli.Tests.Commands;

public sealed class ActionSelectorTests
{
    private static readonly Execution Execution = Make();

    [Fact]
    public void Unique_action_name_finds_its_stage()
    {
        Assert.Equal(new ActionPath("Build", "compile"), ActionSelector.Resolve(Execution, "compile"));
    }

    [Fact]
    public void Stage_and_action_find_an_action_whose_name_repeats()
    {
        Assert.Equal(new ActionPath("Deploy", "lint"), ActionSelector.Resolve(Execution, "Deploy/lint"));
    }

    [Fact]
    public void Repeated_name_alone_is_refused_with_the_choices()
    {
        var error = Assert.Throws<CliException>(() => ActionSelector.Resolve(Execution, "lint"));

        Assert.Equal("several stages of execution build-1 have an action 'lint'; name one of Build/lint, Deploy/lint.", error.Message);
    }

    [Fact]
    public void Unknown_action_is_refused_with_every_action()
    {
        var error = Assert.Throws<CliException>(() => ActionSelector.Resolve(Execution, "Build/push"));

        Assert.Equal("execution build-1 has no action 'Build/push'; its actions are Build/compile, Build/lint, Deploy/lint.", error.Message);
    }

    private static Execution Make()
    {
        var build = new StageExecution { Name = "Build" };
        build.Actions.Add(new ActionExecution { Name = "compile" });
        build.Actions.Add(new ActionExecution { Name = "lint" });
        var deploy = new StageExecution { Name = "Deploy" };
        deploy.Actions.Add(new ActionExecution { Name = "lint" });
        var execution = new Execution { Id = "build-1" };
        execution.Stages.Add(build);
        execution.Stages.Add(deploy);
        return execution;
    }
}
