using Farm.Core.Executions;
using Farm.Core.Pipelines;

namespace Farm.Core.Tests.Executions;

public sealed class ActionResolverTests
{
    [Fact]
    public void References_resolve_in_commands_env_and_image_and_leave_shell_syntax_alone()
    {
        var pipeline = PipelineParser.Parse("""
            name: p
            variables:
              - name: who
                default: nobody
              - name: tag
                default: "1.0"
            stages:
              - name: Build
                actions:
                  - name: compile
                    type: container
                    image: "farm/app:#{variables.tag}"
                    env: { TARGET: "#{pipeline.name}-#{variables.who}" }
                    commands:
                      - 'echo "compiling for #{variables.who} in $MODE"'
                      - 'echo "##{kept} #{execution.id}"'
            """).Pipeline!;
        var run = ExecutionMachine.Create("p-7", pipeline, 1, new Dictionary<string, string> { ["who"] = "farm", ["tag"] = "2.1" }, DateTimeOffset.UnixEpoch);

        var resolved = ActionResolver.Resolve(pipeline.Stages[0].Actions[0], run);

        Assert.Equal(["echo \"compiling for farm in $MODE\"", "echo \"#{kept} p-7\""], resolved.Commands);
        Assert.Equal("farm/app:2.1", resolved.Image);
        Assert.Equal("p-farm", resolved.Env["TARGET"]);
    }
}
