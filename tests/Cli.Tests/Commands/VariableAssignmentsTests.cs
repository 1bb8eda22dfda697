using Farm.Cli.Commands;

namespace Farm.Cli.Tests.Commands;

public sealed class VariableAssignmentsTests
{
    [Theory]
    [InlineData("BRANCH=main", "BRANCH", "main")]
    [InlineData("FLAGS=-DX=1", "FLAGS", "-DX=1")]
    [InlineData("EMPTY=", "EMPTY", "")]
    public void Assignment_splits_at_the_first_equals(string assignment, string name, string value)
    {
        Assert.Equal(new KeyValuePair<string, string>(name, value), VariableAssignments.TryParse(assignment));
    }

    [Theory]
    [InlineData("BRANCH")]
    [InlineData("=main")]
    [InlineData(" =main")]
    public void Assignment_without_a_name_is_refused(string assignment)
    {
        Assert.Null(VariableAssignments.TryParse(assignment));
        var error = Assert.Throws<CliException>(() => VariableAssignments.ParseAll([assignment]));
        Assert.Contains($"'{assignment}'", error.Message);
    }

    [Fact]
    public void Later_assignment_of_a_name_wins()
    {
        Assert.Equal(new Dictionary<string, string> { ["A"] = "2" }, VariableAssignments.ParseAll(["A=1", "A=2"]));
    }
}
