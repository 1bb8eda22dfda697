using Farm.Cli.Import;

namespace Farm.Cli.Tests.Import;

/// <summary>Hostile declarations: too deep or too large. Each is one error with its place, never a crash.</summary>
public sealed class ImportLimitTests
{
    [Fact]
    public void Five_thousand_nested_arrays_are_refused_at_the_65th_level_with_line_and_path()
    {
        // Arrange: the root object is level 1; on line 3 the 63rd '[' opens level 65.
        var json = "{\n  \"pipeline\": {\n    \"stages\": " + new string('[', 5000) + new string(']', 5000) + "\n  }\n}";

        // Act
        var result = CodePipelineImporter.Import(json);

        // Assert
        Assert.Null(result.Yaml);
        var error = Assert.Single(result.Errors);
        Assert.Equal(
            "in.json:3: $.pipeline.stages" + string.Concat(Enumerable.Repeat("[0]", 62)) + ": objects and lists nest more than 64 levels deep here, "
            + "and a pipeline declaration needs about eight: give the output of 'aws codepipeline get-pipeline' as it is.",
            error.Format("in.json"));
    }

    [Fact]
    public void Deep_objects_that_never_close_are_refused_as_too_deep()
    {
        var json = "{\"pipeline\": " + string.Concat(Enumerable.Repeat("{\"a\": ", 100_000));

        var error = Assert.Single(CodePipelineImporter.Import(json).Errors);

        Assert.StartsWith("x:1: $.pipeline" + string.Concat(Enumerable.Repeat(".a", 63)) + ": objects and lists nest more than 64 levels", error.Format("x"));
    }

    [Fact]
    public void Declaration_over_1_MiB_is_refused_before_it_is_parsed()
    {
        var json = "{\"pipeline\": {\"name\": \"" + new string('x', 1 << 20) + "\"}}";

        var error = Assert.Single(CodePipelineImporter.Import(json).Errors);

        Assert.Equal(
            "in.json: $: the input is 1048602 bytes, over the 1048576 bytes (1 MiB) a pipeline declaration may take: import one pipeline at a time.",
            error.Format("in.json"));
    }
}
