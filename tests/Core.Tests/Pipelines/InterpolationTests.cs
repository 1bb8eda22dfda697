using Farm.Core.Pipelines;

namespace Farm.Core.Tests.Pipelines;

public sealed class InterpolationTests
{
    private static readonly Dictionary<string, string> Values = new()
    {
        ["variables.greeting"] = "hi",
        ["execution.id"] = "e-42",
        ["pipeline.name"] = "hello",
    };

    [Fact]
    public void FindReferences_returns_inner_names_in_order_with_repeats()
    {
        // Arrange
        const string text = "#{variables.greeting} from #{pipeline.name} (#{execution.id}) #{variables.greeting}";

        // Act
        var references = Interpolation.FindReferences(text);

        // Assert
        Assert.Equal(["variables.greeting", "pipeline.name", "execution.id", "variables.greeting"], references);
    }

    [Fact]
    public void FindReferences_skips_escapes_and_unclosed_references()
    {
        // Act
        var references = Interpolation.FindReferences("##{not.this} #{this} #{unclosed");

        // Assert
        Assert.Equal(["this"], references);
    }

    [Fact]
    public void FindReferences_takes_the_name_verbatim_up_to_the_first_closing_brace()
    {
        // Act
        var references = Interpolation.FindReferences("#{} #{ spaced } #{a#{b}}");

        // Assert
        Assert.Equal(["", " spaced ", "a#{b"], references);
    }

    [Fact]
    public void Resolve_replaces_every_reference_with_its_value()
    {
        // Act
        var resolved = Interpolation.Resolve("echo #{variables.greeting} from #{pipeline.name} run #{execution.id}!", Values);

        // Assert
        Assert.Equal("echo hi from hello run e-42!", resolved);
    }

    [Theory]
    [InlineData("##{variables.greeting}", "#{variables.greeting}")]
    [InlineData("a##{b}c #{variables.greeting}", "a#{b}c hi")]
    [InlineData("###{variables.greeting}", "##{variables.greeting}")]
    [InlineData("# {x} #x } {", "# {x} #x } {")]
    [InlineData("", "")]
    [InlineData("#", "#")]
    [InlineData("##{", "#{")]
    public void Resolve_turns_the_escape_into_a_literal_and_leaves_other_text_alone(string text, string expected)
    {
        // Act
        var resolved = Interpolation.Resolve(text, Values);

        // Assert
        Assert.Equal(expected, resolved);
    }

    [Fact]
    public void Resolve_does_not_scan_substituted_values_again()
    {
        // Arrange
        var values = new Dictionary<string, string> { ["variables.a"] = "#{variables.b}" };

        // Act
        var resolved = Interpolation.Resolve("[#{variables.a}]", values);

        // Assert
        Assert.Equal("[#{variables.b}]", resolved);
    }

    [Fact]
    public void Resolve_throws_KeyNotFoundException_naming_a_missing_reference()
    {
        // Act
        var exception = Assert.Throws<KeyNotFoundException>(
            () => Interpolation.Resolve("echo #{variables.missing}", Values));

        // Assert
        Assert.Equal("The reference '#{variables.missing}' has no value.", exception.Message);
    }

    [Fact]
    public void Resolve_throws_FormatException_for_an_unclosed_reference()
    {
        // Act
        var exception = Assert.Throws<FormatException>(() => Interpolation.Resolve("ok #{variables.greeting", Values));

        // Assert
        Assert.Equal("The '#{' at index 3 has no closing '}'.", exception.Message);
    }

    [Theory]
    [InlineData("no references", -1)]
    [InlineData("#{a} #{b}", -1)]
    [InlineData("##{escaped", -1)]
    [InlineData("#{a} #{b", 5)]
    [InlineData("#{", 0)]
    [InlineData("x #{a}} #{", 8)]
    public void IndexOfUnclosed_finds_the_first_reference_without_a_closing_brace(string text, int expected)
    {
        // Act
        var index = Interpolation.IndexOfUnclosed(text);

        // Assert
        Assert.Equal(expected, index);
    }
}
