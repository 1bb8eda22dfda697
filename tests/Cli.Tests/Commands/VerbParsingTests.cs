using System.CommandLine;

namespace Farm.Cli.Tests.Commands;

/// <summary>Arguments of the verbs that act on running executions, pipelines and artifacts, parsed exactly as the tool does.</summary>
public sealed class VerbParsingTests
{
    private static ParseResult Parse(params string[] args) => FarmCommandLine.Create().Parse(args);

    [Fact]
    public void Watch_takes_an_execution_and_json()
    {
        var parse = Parse("watch", "hello-4", "--json");

        Assert.Empty(parse.Errors);
        Assert.Equal("watch", parse.CommandResult.Command.Name);
        Assert.Equal("hello-4", parse.GetValue<string>("EXECUTION"));
        Assert.True(parse.GetValue<bool>("--json"));
    }

    [Fact]
    public void Watch_without_an_execution_is_a_usage_error()
    {
        Assert.NotEmpty(Parse("watch").Errors);
    }

    [Fact]
    public void Stop_takes_abandon_reason_and_wait()
    {
        var parse = Parse("stop", "hello-4", "--abandon", "--reason", "wrong branch", "-w");

        Assert.Empty(parse.Errors);
        Assert.Equal("hello-4", parse.GetValue<string>("EXECUTION"));
        Assert.True(parse.GetValue<bool>("--abandon"));
        Assert.Equal("wrong branch", parse.GetValue<string?>("--reason"));
        Assert.True(parse.GetValue<bool>("--wait"));
    }

    [Fact]
    public void Stop_defaults_to_letting_actions_finish()
    {
        var parse = Parse("stop", "hello-4");

        Assert.Empty(parse.Errors);
        Assert.False(parse.GetValue<bool>("--abandon"));
        Assert.Null(parse.GetValue<string?>("--reason"));
        Assert.False(parse.GetValue<bool>("--wait"));
    }

    [Fact]
    public void Retry_takes_an_execution_a_stage_all_and_wait()
    {
        var parse = Parse("retry", "hello-4", "Deploy", "--all", "--wait");

        Assert.Empty(parse.Errors);
        Assert.Equal("hello-4", parse.GetValue<string>("EXECUTION"));
        Assert.Equal("Deploy", parse.GetValue<string>("STAGE"));
        Assert.True(parse.GetValue<bool>("--all"));
        Assert.True(parse.GetValue<bool>("--wait"));
    }

    [Fact]
    public void Retry_without_a_stage_is_a_usage_error()
    {
        Assert.NotEmpty(Parse("retry", "hello-4").Errors);
    }

    [Fact]
    public void Rollback_takes_a_pipeline_a_stage_and_the_target()
    {
        var parse = Parse("rollback", "hello", "Deploy", "--to", "hello-2", "--wait");

        Assert.Empty(parse.Errors);
        Assert.Equal("hello", parse.GetValue<string>("PIPELINE"));
        Assert.Equal("Deploy", parse.GetValue<string>("STAGE"));
        Assert.Equal("hello-2", parse.GetValue<string>("--to"));
        Assert.True(parse.GetValue<bool>("--wait"));
    }

    [Fact]
    public void Rollback_without_to_is_a_usage_error_naming_it()
    {
        var parse = Parse("rollback", "hello", "Deploy");

        Assert.Contains("--to", Assert.Single(parse.Errors).Message);
    }

    [Fact]
    public void Transition_disable_takes_a_reason()
    {
        var parse = Parse("transition", "disable", "hello", "Deploy", "--reason", "release freeze");

        Assert.Empty(parse.Errors);
        Assert.Equal("disable", parse.CommandResult.Command.Name);
        Assert.Equal("hello", parse.GetValue<string>("PIPELINE"));
        Assert.Equal("Deploy", parse.GetValue<string>("STAGE"));
        Assert.Equal("release freeze", parse.GetValue<string>("--reason"));
    }

    [Fact]
    public void Transition_disable_without_reason_is_a_usage_error_naming_it()
    {
        var parse = Parse("transition", "disable", "hello", "Deploy");

        Assert.Contains("--reason", Assert.Single(parse.Errors).Message);
    }

    [Fact]
    public void Transition_disable_with_a_blank_reason_is_a_usage_error()
    {
        var parse = Parse("transition", "disable", "hello", "Deploy", "--reason", "  ");

        Assert.Equal("--reason must say why the transition is disabled, such as --reason 'release freeze'.", Assert.Single(parse.Errors).Message);
    }

    [Fact]
    public void Transition_enable_needs_no_reason()
    {
        var parse = Parse("transition", "enable", "hello", "Deploy");

        Assert.Empty(parse.Errors);
        Assert.Equal("enable", parse.CommandResult.Command.Name);
        Assert.Equal("Deploy", parse.GetValue<string>("STAGE"));
    }

    [Fact]
    public void Transition_without_disable_or_enable_is_a_usage_error()
    {
        Assert.NotEmpty(Parse("transition", "hello", "Deploy").Errors);
    }

    [Fact]
    public void Pipeline_takes_watch_and_json()
    {
        var parse = Parse("pipeline", "hello", "--watch", "--json");

        Assert.Empty(parse.Errors);
        Assert.Equal("pipeline", parse.CommandResult.Command.Name);
        Assert.Equal("hello", parse.GetValue<string>("PIPELINE"));
        Assert.True(parse.GetValue<bool>("--watch"));
        Assert.True(parse.GetValue<bool>("--json"));
    }

    [Fact]
    public void Artifacts_takes_an_execution_and_json()
    {
        var parse = Parse("artifacts", "hello-4", "--json");

        Assert.Empty(parse.Errors);
        Assert.Equal("artifacts", parse.CommandResult.Command.Name);
        Assert.Equal("hello-4", parse.GetValue<string>("EXECUTION"));
        Assert.True(parse.GetValue<bool>("--json"));
    }

    [Fact]
    public void Artifact_get_takes_an_execution_a_name_and_an_output()
    {
        var parse = Parse("artifact", "get", "hello-4", "site", "-o", "site.tar.gz");

        Assert.Empty(parse.Errors);
        Assert.Equal("get", parse.CommandResult.Command.Name);
        Assert.Equal("hello-4", parse.GetValue<string>("EXECUTION"));
        Assert.Equal("site", parse.GetValue<string>("NAME"));
        Assert.Equal("site.tar.gz", parse.GetValue<string>("--output"));
    }

    [Fact]
    public void Artifact_get_without_an_output_is_a_usage_error()
    {
        var parse = Parse("artifact", "get", "hello-4", "site");

        Assert.Contains("--output", Assert.Single(parse.Errors).Message);
    }

    [Fact]
    public void Artifact_get_to_standard_output_refuses_json()
    {
        var parse = Parse("artifact", "get", "hello-4", "site", "-o", "-", "--json");

        Assert.Equal("--json cannot be used with -o -, which writes the archive itself to standard output.", Assert.Single(parse.Errors).Message);
    }

    [Fact]
    public void Logs_takes_an_attempt_for_an_action()
    {
        var parse = Parse("logs", "hello-4", "Build/compile", "--attempt", "2");

        Assert.Empty(parse.Errors);
        Assert.Equal("Build/compile", parse.GetValue<string?>("ACTION"));
        Assert.Equal(2, parse.GetValue<int>("--attempt"));
    }

    [Fact]
    public void Logs_attempt_without_an_action_is_a_usage_error()
    {
        var parse = Parse("logs", "hello-4", "--attempt", "2");

        Assert.StartsWith("--attempt needs ACTION:", Assert.Single(parse.Errors).Message);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    public void Logs_attempt_below_one_is_a_usage_error(string attempt)
    {
        var parse = Parse("logs", "hello-4", "compile", "--attempt", attempt);

        Assert.Equal("--attempt must be 1 or more: 1 is the first attempt.", Assert.Single(parse.Errors).Message);
    }

    [Fact]
    public void Status_takes_verbose()
    {
        var parse = Parse("status", "hello-4", "-v");

        Assert.Empty(parse.Errors);
        Assert.True(parse.GetValue<bool>("--verbose"));
    }
}
