using Farm.Cli.Commands;

namespace Farm.Cli.Tests.Commands;

public sealed class RevisionAssignmentsTests
{
    [Theory]
    [InlineData("source=main", "source", "main")]
    [InlineData("source=3f2a9c1", "source", "3f2a9c1")]
    [InlineData("docs=refs/tags/v1.4.2", "docs", "refs/tags/v1.4.2")]
    [InlineData("odd=a=b", "odd", "a=b")]
    public void Revision_splits_at_the_first_equals(string assignment, string action, string revision)
    {
        Assert.Equal(new KeyValuePair<string, string>(action, revision), RevisionAssignments.TryParse(assignment));
    }

    [Theory]
    [InlineData("main")]
    [InlineData("=main")]
    [InlineData("source=")]
    [InlineData("source=  ")]
    public void Revision_without_an_action_or_a_revision_is_refused(string assignment)
    {
        Assert.Null(RevisionAssignments.TryParse(assignment));
        var error = Assert.Throws<CliException>(() => RevisionAssignments.ParseAll([assignment]));
        Assert.Equal(
            $"--revision '{assignment}' is not ACTION=REV; write it like --revision source=main, --revision source=v1.4.2 or --revision source=3f2a9c1.",
            error.Message);
    }

    [Fact]
    public void Later_revision_of_an_action_wins()
    {
        var revisions = RevisionAssignments.ParseAll(["source=main", "docs=v2", "source=abc1234"]);

        Assert.Equal(new Dictionary<string, string> { ["source"] = "abc1234", ["docs"] = "v2" }, revisions);
    }
}
