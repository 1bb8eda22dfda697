using System.Text;
using Farm.Core.Pipelines;

namespace Farm.Core.Tests.Pipelines;

/// <summary>
/// Hostile files: too deep, too large, alias bombs and cycles. Each is refused with one error at the
/// place it goes wrong, before anything walks it, and never crashes the process reading it.
/// </summary>
public sealed class DocumentLimitTests
{
    private const string TooDeep =
        "lists and mappings nest more than 64 levels deep here, and a pipeline needs about ten: look for '[' or '{' that repeat or are never closed, or indentation that runs away.";

    [Fact]
    public void Five_thousand_nested_brackets_are_refused_at_the_65th_level()
    {
        // Arrange: the root mapping is level 1, so the 64th '[' (column 9 + 63) opens level 65.
        var yaml = "name: deep\nstages: " + new string('[', 5000) + new string(']', 5000) + "\n";

        // Act
        var result = PipelineParser.Parse(yaml);

        // Assert
        Assert.Null(result.Pipeline);
        var error = Assert.Single(result.Errors);
        Assert.Equal((2, 72, TooDeep), (error.Line, error.Column, error.Message));
    }

    [Fact]
    public void Brackets_that_never_close_are_refused_as_too_deep_not_read_to_the_end()
    {
        var yaml = "name: deep\nstages: " + new string('[', 200_000) + "\n";

        var error = Assert.Single(PipelineParser.Parse(yaml).Errors);

        Assert.Equal((2, 72, TooDeep), (error.Line, error.Column, error.Message));
    }

    [Fact]
    public void Five_thousand_nested_braces_are_refused_where_the_limit_is_passed()
    {
        // Each "{a: " is 4 characters; the 64th starts at column 9 + 63 * 4.
        var yaml = "name: deep\nstages: " + string.Concat(Enumerable.Repeat("{a: ", 5000)) + "1" + new string('}', 5000) + "\n";

        var error = Assert.Single(PipelineParser.Parse(yaml).Errors);

        Assert.Equal((2, 261, TooDeep), (error.Line, error.Column, error.Message));
    }

    [Fact]
    public void Deep_block_mappings_are_refused_at_the_line_that_passes_the_limit()
    {
        // Arrange: line 2 holds level 2 (the mapping under 'stages'), so line 65 opens level 65,
        // indented by 2 per level from column 1 on line 3.
        var yaml = new StringBuilder("name: deep\nstages:\n");
        for (var level = 0; level < 300; level++)
        {
            yaml.Append(' ', 2 * (level + 1)).Append("k:\n");
        }

        yaml.Append(' ', 602).Append("end\n");

        // Act
        var error = Assert.Single(PipelineParser.Parse(yaml.ToString()).Errors);

        // Assert
        Assert.Equal((66, 129, TooDeep), (error.Line, error.Column, error.Message));
    }

    [Fact]
    public void Sixty_four_levels_are_still_read_as_a_file_and_reported_by_meaning()
    {
        // Level 64 is allowed: the error is about stage 1, the second '[', not about depth.
        var yaml = "name: deep\nstages: " + new string('[', 63) + new string(']', 63) + "\n";

        var error = Assert.Single(PipelineParser.Parse(yaml).Errors);

        Assert.Equal((2, 10), (error.Line, error.Column));
        Assert.StartsWith("stage 1 must be a mapping", error.Message);
    }

    [Fact]
    public void Alias_bomb_is_refused_at_the_alias_that_expands_past_the_limit()
    {
        // Arrange: each level repeats the one above nine times: 10, 91, 820, 7381, 66430 values, then
        // the second alias of level 5 passes 100,000.
        var yaml = new StringBuilder("name: bomb\nl0: &l0 [x, x, x, x, x, x, x, x, x]\n");
        for (var level = 1; level <= 9; level++)
        {
            yaml.Append($"l{level}: &l{level} [").AppendJoin(", ", Enumerable.Repeat($"*l{level - 1}", 9)).Append("]\n");
        }

        // Act
        var result = PipelineParser.Parse(yaml.ToString());

        // Assert
        var error = Assert.Single(result.Errors);
        Assert.Equal((7, 10), (error.Line, error.Column));
        Assert.Equal(
            "with its aliases (*name) expanded, the file holds more than 100000 values by here, far more than any pipeline, as an alias bomb would: use aliases that repeat small values, not aliases of values that hold aliases in turn.",
            error.Message);
    }

    [Fact]
    public void Aliases_that_repeat_small_values_are_read_as_usual()
    {
        const string yaml = """
            name: app
            stages:
              - name: Build
                actions:
                  - name: compile
                    type: shell
                    runsOn: &linux [ linux, x64 ]
                    commands: [ make ]
                  - name: lint
                    type: shell
                    runsOn: *linux
                    commands: [ make lint ]
            """;

        var result = PipelineParser.Parse(yaml);

        Assert.Empty(result.Errors);
        Assert.Equal(["linux", "x64"], result.Pipeline!.Stages[0].Actions[1].RunsOn);
    }

    [Fact]
    public void Alias_inside_its_own_list_is_refused_as_a_cycle()
    {
        const string yaml = "name: loop\nstages: &s [ *s ]\n";

        var error = Assert.Single(PipelineParser.Parse(yaml).Errors);

        Assert.Equal((2, 14), (error.Line, error.Column));
        Assert.Equal(
            "the alias '*s' stands inside the value that '&s' on line 2, column 9 marks, so that value would contain itself without end: write the value out, or move the alias outside it.",
            error.Message);
    }

    [Fact]
    public void Alias_inside_its_own_mapping_is_refused_as_a_cycle()
    {
        const string yaml = """
            name: loop
            stages:
              - &stage
                name: Build
                actions:
                  - name: again
                    type: shell
                    commands: *stage
            """;

        var error = Assert.Single(PipelineParser.Parse(yaml).Errors);

        Assert.Equal((8, 19), (error.Line, error.Column));
        Assert.StartsWith("the alias '*stage' stands inside the value that '&stage' on line 3, column 5 marks", error.Message);
    }

    [Fact]
    public void Alias_to_an_anchor_further_down_is_refused()
    {
        // YamlDotNet would resolve it, which would let two anchors hold each other.
        const string yaml = "name: *n\nother: &n hello\n";

        var error = Assert.Single(PipelineParser.Parse(yaml).Errors);

        Assert.Equal((1, 7), (error.Line, error.Column));
        Assert.Equal(
            "the alias '*n' names no anchor above it: an alias repeats a value marked '&n' earlier in the file, so add that anchor before this line or write the value here.",
            error.Message);
    }

    [Fact]
    public void Two_anchors_that_hold_each_other_are_refused()
    {
        const string yaml = "name: loop\na: &a [ *b ]\nb: &b [ *a ]\n";

        var error = Assert.Single(PipelineParser.Parse(yaml).Errors);

        Assert.Equal((2, 9), (error.Line, error.Column));
        Assert.StartsWith("the alias '*b' names no anchor above it", error.Message);
    }

    [Fact]
    public void File_over_1_MiB_is_refused_where_it_passes_the_limit()
    {
        // Arrange: two lines of 11 bytes, then comment lines of 1,003 bytes. Line 1048 starts after
        // 11 + 1045 * 1003 = 1,048,146 bytes, so byte 1,048,577, the first past 1 MiB, is its 431st.
        var yaml = "name: big\n\n" + string.Concat(Enumerable.Repeat("# " + new string('x', 1000) + "\n", 1400));

        // Act
        var error = Assert.Single(PipelineParser.Parse(yaml).Errors);

        // Assert
        Assert.Equal((1048, 431), (error.Line, error.Column));
        Assert.Equal(
            "the pipeline file is 1.3 MiB; the limit is 1 MiB. The file passes the limit here: split it into several pipelines, or move long scripts into files in the repository.",
            error.Message);
    }

    [Fact]
    public void File_of_exactly_1_MiB_is_read()
    {
        var head = "name: big\nstages: []\n";
        var yaml = head + "#" + new string('x', DocumentLimits.MaxBytes - head.Length - 2) + "\n";

        var error = Assert.Single(PipelineParser.Parse(yaml).Errors);

        Assert.Equal(DocumentLimits.MaxBytes, Encoding.UTF8.GetByteCount(yaml));
        Assert.StartsWith("'stages' at the top level of the file is empty", error.Message);
    }

    [Fact]
    public void Size_counts_utf8_bytes_not_characters()
    {
        // Arrange: 660,016 characters but 1,060,016 bytes, each 'é' being two. Line 3 starts after
        // 800,013 bytes, so byte 1,048,577 is its 248,564th.
        var yaml = "name: big\n# " + new string('é', 400_000) + "\n# " + new string('x', 260_000) + "\n";

        // Act
        var error = Assert.Single(PipelineParser.Parse(yaml).Errors);

        // Assert
        Assert.Equal((3, 248_564), (error.Line, error.Column));
        Assert.StartsWith("the pipeline file is 1060016 bytes; the limit is 1 MiB (1048576 bytes). The file passes the limit here", error.Message);
    }

    [Fact]
    public void More_than_100000_values_without_aliases_are_refused()
    {
        var yaml = "name: many\nstages: [" + string.Join(",", Enumerable.Repeat("1", 100_001)) + "]\n";

        var error = Assert.Single(PipelineParser.Parse(yaml).Errors);

        Assert.Equal(2, error.Line);
        Assert.Equal(
            "the file holds more than 100000 values (keys, list items and values) by here, far more than any pipeline: split it into several pipelines.",
            error.Message);
    }

    [Fact]
    public void At_most_100_problems_are_listed_then_how_many_more()
    {
        var yaml = "name: many\nstages: [" + string.Join(",", Enumerable.Repeat("1", 250)) + "]\n";

        var errors = PipelineParser.Parse(yaml).Errors;

        Assert.Equal(101, errors.Count);
        Assert.All(errors.Take(100), e => Assert.StartsWith("stage ", e.Message));
        Assert.Equal("150 more problems follow, not listed: fix the ones above and validate the file again.", errors[100].ToString());
    }
}
