using System.Text;
using Farm.Dashboard.Components.Logs;

namespace Farm.Dashboard.Tests.Components;

public sealed class LogDocumentTests
{
    [Fact]
    public void Utf8_split_between_chunks_and_crlf_line_ends_read_back_whole()
    {
        var bytes = Encoding.UTF8.GetBytes("grüße\r\nzweite");
        var document = new LogDocument();

        document.Append(bytes.AsSpan(0, 3));
        document.Append(bytes.AsSpan(3));

        Assert.Equal((2, "grüße", "zweite", (long)bytes.Length), (document.LineCount, document[0], document[1], document.ByteCount));
    }

    [Theory]
    [InlineData("\u001b[32mok\u001b[0m", "ok", "ansi-fg-2")]
    [InlineData("\u001b[38;5;196mindexed\u001b[m", "indexed", "")]
    [InlineData("\u001b[2K\u001b[1Gprogress", "progress", "")]
    [InlineData("\u001b[94;41mbright on red", "bright on red", "ansi-fg-12 ansi-bg-1")]
    public void Ansi_sequences_become_classes_or_vanish(string line, string text, string css)
    {
        var segments = AnsiText.Parse(line);

        Assert.Equal(text, string.Concat(segments.Select(s => s.Text)));
        Assert.Equal(css, segments.Single(s => s.Text.Length > 0).Css);
    }

    [Theory]
    [InlineData("Build succeeded. 0 warnings", false)]
    [InlineData("error CS1002: ; expected", true)]
    [InlineData("Tests FAILED", true)]
    [InlineData("no errors here", false)]
    public void Error_lines_are_recognised(string line, bool error) => Assert.Equal(error, LogDocument.LooksLikeError(line));
}
