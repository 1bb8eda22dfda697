using System.Buffers;
using System.Text;
using Farm.Cli.Commands;

namespace Farm.Cli.Tests.Commands;

public sealed class TerminalFilterTests
{
    private static string Filter(params string[] chunks) => Encoding.UTF8.GetString(FilterBytes(chunks.Select(Encoding.UTF8.GetBytes).ToArray()));

    private static byte[] FilterBytes(params byte[][] chunks)
    {
        var filter = new TerminalFilter();
        var output = new ArrayBufferWriter<byte>();
        foreach (var chunk in chunks)
        {
            filter.Write(chunk, output);
        }

        filter.Reset(output);
        return output.WrittenSpan.ToArray();
    }

    [Theory]
    [InlineData("window title (OSC 0, BEL)", "a\e]0;pwned\ab\n", "ab\n")]
    [InlineData("clipboard write (OSC 52, ST)", "a\e]52;c;Y3VybCBldmlsIHwgc2g=\e\\b\n", "ab\n")]
    [InlineData("hyperlink (OSC 8)", "\e]8;;https://evil.example\e\\click\e]8;;\e\\\n", "click\n")]
    [InlineData("device control string (DCS)", "a\ePq#0;2;0;0;0#1~~@@\e\\b\n", "ab\n")]
    [InlineData("application program command (APC)", "a\e_payload\e\\b\n", "ab\n")]
    [InlineData("cursor up and erase line hide earlier output", "ok\e[1A\e[2Kfine\n", "okfine\n")]
    [InlineData("screen clear and cursor home", "\e[2J\e[Hclean\n", "clean\n")]
    [InlineData("private mode (hide cursor, alternate screen)", "\e[?25l\e[?1049hx\n", "x\n")]
    [InlineData("device status report asks the terminal to type", "\e[6n\e[21tx\n", "x\n")]
    [InlineData("full reset and cursor save", "\ec\e7x\e8\n", "x\n")]
    [InlineData("charset switch (nF escape)", "\e(0lqk\e(B\n", "lqk\n")]
    [InlineData("lone escape before text", "a\e\nb\n", "a\nb\n")]
    [InlineData("carriage return, backspace, bell, DEL", "safe\rEVIL\b\a\x7f!\n", "safeEVIL!\n")]
    [InlineData("C1 CSI and OSC as UTF-8", "a\u009b2Jb\u009d0;t\u009cc\n", "abc\n")]
    [InlineData("an unterminated OSC ends at the line's end", "a\e]0;no end\nnext line\n", "a\nnext line\n")]
    [InlineData("an escape inside an OSC cancels it and starts the next sequence", "\e]0;title\e[31mred\n", "\e[31mred\n")]
    public void Hostile_sequences_are_removed(string what, string input, string expected)
    {
        Assert.True(Filter(input) == expected, $"{what}: got '{Escape(Filter(input))}'");
    }

    [Theory]
    [InlineData("\e[31mred\e[0m\n")]
    [InlineData("\e[1;38;5;208mbold orange\e[m\n")]
    [InlineData("\e[38:2::255:0:0mtruecolor\e[0m\n")]
    [InlineData("tab\there, unicode: été, €, 日本, 😀\n")]
    public void Colours_tabs_and_text_are_kept(string input)
    {
        Assert.Equal(input, Filter(input));
    }

    [Fact]
    public void Sequences_split_across_chunks_are_still_recognised()
    {
        var output = Filter("a\e", "]0;pw", "ned\a", "b\e[", "3", "1mred\e", "[2", "J\n");

        Assert.Equal("ab\e[31mred\n", output);
    }

    [Fact]
    public void Raw_c1_bytes_outside_utf8_characters_are_removed_and_other_bytes_kept()
    {
        // 0x9B alone is CSI to an 8-bit terminal; 0xE9 is Latin-1 'é', invalid UTF-8 but harmless;
        // 0x82 inside '€' (E2 82 AC) is part of a character.
        var output = FilterBytes([(byte)'a', 0x9B, (byte)'2', (byte)'J', 0xE9, 0xE2, 0x82], [0xAC, (byte)'\n']);

        Assert.Equal(new byte[] { (byte)'a', (byte)'2', (byte)'J', 0xE9, 0xE2, 0x82, 0xAC, (byte)'\n' }, output);
    }

    [Fact]
    public async Task Log_output_filters_by_default_and_writes_stored_bytes_with_raw()
    {
        var hostile = Encoding.UTF8.GetBytes("\e]52;c;ZXZpbA==\a\e[32mgreen\e[0m\e[2J\n");
        using var filtered = new MemoryStream();
        using var raw = new MemoryStream();
        await using (var output = new LogOutput(filtered))
        {
            await output.WriteAsync(hostile, CancellationToken.None);
        }

        await using (var output = new LogOutput(raw, raw: true))
        {
            await output.WriteAsync(hostile, CancellationToken.None);
        }

        Assert.Equal("\e[32mgreen\e[0m\n", Encoding.UTF8.GetString(filtered.ToArray()));
        Assert.Equal(hostile, raw.ToArray());
    }

    [Fact]
    public async Task An_unfinished_sequence_at_a_log_end_does_not_swallow_the_next_header()
    {
        using var stream = new MemoryStream();
        await using (var output = new LogOutput(stream))
        {
            await output.WriteAsync(Encoding.UTF8.GetBytes("first\e]0;never ended"), CancellationToken.None);
            await output.WriteHeaderAsync("==> Build/b <==\n", CancellationToken.None);
            await output.WriteAsync(Encoding.UTF8.GetBytes("second\n"), CancellationToken.None);
        }

        Assert.Equal("first\n==> Build/b <==\nsecond\n", Encoding.UTF8.GetString(stream.ToArray()));
    }

    [Fact]
    public void Progress_messages_are_stripped_whole()
    {
        var message = TerminalFilter.Strip("✗ Build: \e]0;x\a\e[31mfailed\e[0m\e[2K");

        Assert.Equal("✗ Build: \e[31mfailed\e[0m", message);
    }

    private static string Escape(string text) => text.Replace("\e", "\\e").Replace("\a", "\\a").Replace("\r", "\\r");
}
