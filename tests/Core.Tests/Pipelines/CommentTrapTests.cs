using Farm.Core.Pipelines;

namespace Farm.Core.Tests.Pipelines;

public sealed class CommentTrapTests
{
    [Fact]
    public void Unquoted_reference_after_a_space_is_reported_where_yaml_would_drop_it()
    {
        const string yaml = """
            name: p
            stages:
              - name: Build
                actions:
                  - name: a
                    type: shell
                    commands:
                      - echo "from #{pipeline.name}"
                      - 'echo "quoted #{pipeline.name}"'
                      - echo plain # an ordinary comment stays allowed
            """;

        var result = PipelineParser.Parse(yaml);

        var error = Assert.Single(result.Errors);
        Assert.Equal((8, 24), (error.Line, error.Column));
        Assert.Equal(
            "the text from '#{pipeline.name}\"' on is read as a YAML comment (a '#' after a space starts one) and cut from the value 'echo \"from': put the whole value in single quotes.",
            error.Message);
    }
}
