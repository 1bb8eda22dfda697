using System.CommandLine;

namespace Farm.Cli.Tests.Commands;

/// <summary>Arguments of <c>start --revision</c>, <c>approvals</c>, <c>approve</c>, <c>reject</c> and <c>webhooks</c>, parsed exactly as the tool does.</summary>
public sealed class ApprovalVerbParsingTests
{
    private static ParseResult Parse(params string[] args) => FarmCommandLine.Create().Parse(args);

    [Fact]
    public void Start_takes_repeated_revisions_beside_vars()
    {
        var parse = Parse("start", "site", "--revision", "source=main", "--var", "A=1", "--revision", "docs=3f2a9c1");

        Assert.Empty(parse.Errors);
        Assert.Equal(["source=main", "docs=3f2a9c1"], parse.GetValue<string[]>("--revision") ?? []);
        Assert.Equal(["A=1"], parse.GetValue<string[]>("--var") ?? []);
    }

    [Fact]
    public void Start_with_a_revision_without_equals_is_a_usage_error_naming_it()
    {
        var parse = Parse("start", "site", "--revision", "source=main", "--revision", "main");

        Assert.Equal(
            "--revision 'main' is not ACTION=REV; write it like --revision source=main, --revision source=v1.4.2 or --revision source=3f2a9c1.",
            Assert.Single(parse.Errors).Message);
    }

    [Fact]
    public void Start_with_an_empty_revision_is_a_usage_error()
    {
        var parse = Parse("start", "site", "--revision", "source=");

        Assert.StartsWith("--revision 'source=' is not ACTION=REV;", Assert.Single(parse.Errors).Message);
    }

    [Fact]
    public void Approvals_takes_an_optional_pipeline_and_json()
    {
        var all = Parse("approvals");
        var one = Parse("approvals", "gated", "--json");

        Assert.Empty(all.Errors);
        Assert.Equal("approvals", all.CommandResult.Command.Name);
        Assert.Null(all.GetValue<string?>("PIPELINE"));
        Assert.False(all.GetValue<bool>("--json"));
        Assert.Empty(one.Errors);
        Assert.Equal("gated", one.GetValue<string?>("PIPELINE"));
        Assert.True(one.GetValue<bool>("--json"));
    }

    [Theory]
    [InlineData("approve")]
    [InlineData("reject")]
    public void Decision_takes_an_execution_an_action_and_a_comment(string verb)
    {
        var parse = Parse(verb, "gated-4", "Gate/sign-off", "--comment", "checked staging");

        Assert.Empty(parse.Errors);
        Assert.Equal(verb, parse.CommandResult.Command.Name);
        Assert.Equal("gated-4", parse.GetValue<string>("EXECUTION"));
        Assert.Equal("Gate/sign-off", parse.GetValue<string>("STAGE/ACTION"));
        Assert.Equal("checked staging", parse.GetValue<string?>("--comment"));
    }

    [Fact]
    public void Approve_without_a_comment_has_none()
    {
        var parse = Parse("approve", "gated-4", "sign-off");

        Assert.Empty(parse.Errors);
        Assert.Equal("sign-off", parse.GetValue<string>("STAGE/ACTION"));
        Assert.Null(parse.GetValue<string?>("--comment"));
    }

    [Theory]
    [InlineData("approve")]
    [InlineData("reject")]
    public void Decision_without_stage_and_action_is_a_usage_error(string verb)
    {
        var parse = Parse(verb, "gated-4", "--comment", "ok");

        Assert.Equal(verb, parse.CommandResult.Command.Name);
        Assert.Equal($"Required argument 'STAGE/ACTION' missing for command: '{verb}'.", Assert.Single(parse.Errors).Message);
    }

    [Fact]
    public void Approve_without_anything_is_a_usage_error()
    {
        Assert.NotEmpty(Parse("approve").Errors);
    }

    [Fact]
    public void Webhooks_takes_a_pipeline_and_json()
    {
        var parse = Parse("webhooks", "site", "--json");

        Assert.Empty(parse.Errors);
        Assert.Equal("webhooks", parse.CommandResult.Command.Name);
        Assert.Equal("site", parse.GetValue<string>("PIPELINE"));
        Assert.True(parse.GetValue<bool>("--json"));
    }

    [Fact]
    public void Webhooks_without_a_pipeline_is_a_usage_error()
    {
        Assert.NotEmpty(Parse("webhooks").Errors);
    }
}
