namespace Farm.Cli.Tests.Commands;

public sealed class CommandLineTests
{
    [Fact]
    public void Start_with_malformed_var_is_a_usage_error_naming_it()
    {
        var parse = FarmCommandLine.Create().Parse(["start", "build", "--var", "BRANCH=main", "--var", "oops"]);

        var error = Assert.Single(parse.Errors);
        Assert.Contains("'oops'", error.Message);
    }

    [Fact]
    public void Start_accepts_repeated_vars_and_wait()
    {
        var parse = FarmCommandLine.Create().Parse(["start", "build", "--var", "A=1", "--var", "B=x=y", "--wait"]);

        Assert.Empty(parse.Errors);
        Assert.Equal(["A=1", "B=x=y"], parse.GetValue<string[]>("--var") ?? []);
        Assert.True(parse.GetValue<bool>("--wait"));
    }

    [Fact]
    public void Controller_option_is_accepted_after_the_verb()
    {
        var parse = FarmCommandLine.Create().Parse(["status", "build-3", "--controller", "http://ci:7070"]);

        Assert.Empty(parse.Errors);
        Assert.Equal("http://ci:7070", parse.GetValue(GlobalOptions.Controller));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("501")]
    public void Executions_limit_outside_1_to_500_is_refused(string limit)
    {
        var parse = FarmCommandLine.Create().Parse(["executions", "build", "--limit", limit]);

        Assert.Equal("--limit must be 1 to 500.", Assert.Single(parse.Errors).Message);
    }

    [Fact]
    public void Executions_without_limit_sends_zero_for_the_controllers_default()
    {
        var parse = FarmCommandLine.Create().Parse(["executions", "build"]);

        Assert.Empty(parse.Errors);
        Assert.Equal(0, parse.GetValue<int>("--limit"));
    }

    [Fact]
    public void Apply_without_a_file_is_a_usage_error()
    {
        var parse = FarmCommandLine.Create().Parse(["apply"]);

        Assert.NotEmpty(parse.Errors);
    }

    [Fact]
    public void Logs_takes_an_optional_action_and_follow()
    {
        var parse = FarmCommandLine.Create().Parse(["logs", "build-3", "Test/unit", "-f"]);

        Assert.Empty(parse.Errors);
        Assert.Equal("Test/unit", parse.GetValue<string?>("ACTION"));
        Assert.True(parse.GetValue<bool>("--follow"));
    }
}
