using Farm.Cli.Import;
using YamlDotNet.RepresentationModel;

namespace Farm.Cli.Tests.Import;

public sealed class YamlWriterTests
{
    [Theory]
    [InlineData("plain")]
    [InlineData("it's")]
    [InlineData("echo \"hi from #{pipeline.name}\" # not a comment")]
    [InlineData("key: value")]
    [InlineData("- item")]
    [InlineData("true")]
    [InlineData("null")]
    [InlineData("123")]
    [InlineData("  leading and trailing  ")]
    [InlineData("two\nlines")]
    [InlineData("tab\there")]
    [InlineData("back\\slash \"quoted\"")]
    [InlineData("bell\u0007 and \u2028 separator")]
    [InlineData("")]
    public void Quoted_text_reads_back_exactly(string text)
    {
        var read = ReadScalar("value: " + YamlWriter.Quote(text) + "\n");

        Assert.Equal(text, read);
    }

    [Fact]
    public void Comment_stays_on_one_line()
    {
        var writer = new YamlWriter();
        writer.Comment(2, "first\nsecond");

        Assert.Equal("  # first\\nsecond\n", writer.ToString());
    }

    private static string? ReadScalar(string yaml) =>
        ((YamlScalarNode)((YamlMappingNode)Load(yaml)).Children[new YamlScalarNode("value")]).Value;

    private static YamlNode Load(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return stream.Documents[0].RootNode;
    }
}
