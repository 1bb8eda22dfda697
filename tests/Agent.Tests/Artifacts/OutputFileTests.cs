using System.Text;
using Farm.Agent.Artifacts;

namespace Farm.Agent.Tests.Artifacts;

public sealed class OutputFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("farm-output-").FullName;

    [Fact]
    public void Key_value_lines_keep_the_value_exactly_after_the_first_equals()
    {
        var outputs = OutputFile.Parse("version=1.2.3\nurl=https://x.test/?a=b&c=d\r\n\nspaced=  two words \nempty=\n_under_1=ok");

        Assert.Equal(
            new Dictionary<string, string>
            {
                ["version"] = "1.2.3",
                ["url"] = "https://x.test/?a=b&c=d",
                ["spaced"] = "  two words ",
                ["empty"] = "",
                ["_under_1"] = "ok",
            },
            outputs);
    }

    [Fact]
    public void Multi_line_values_run_to_the_delimiter_line()
    {
        var outputs = OutputFile.Parse("notes<<EOF\nfirst line\n\nthird = still value\r\nEOF\nafter=1\n");

        Assert.Equal("first line\n\nthird = still value", outputs["notes"]);
        Assert.Equal("1", outputs["after"]);
        Assert.Equal(2, outputs.Count);
    }

    [Fact]
    public void A_key_written_twice_keeps_its_last_value()
    {
        Assert.Equal("2", OutputFile.Parse("n=1\nn=2\n")["n"]);
    }

    [Theory]
    [InlineData("ok=1\nbad=2\nx y=1\n", "$FARM_OUTPUT line 3: 'x y=1' is not KEY=VALUE; keys are letters, digits and _")]
    [InlineData("1st=a", "$FARM_OUTPUT line 1: '1st=a' is not KEY=VALUE; keys are letters, digits and _")]
    [InlineData("a=1\njust text", "$FARM_OUTPUT line 2: 'just text' is not KEY=VALUE or KEY<<DELIMITER; keys are letters, digits and _")]
    [InlineData("a=1\nlog<<END\nno end\n", "$FARM_OUTPUT line 2: 'log<<END' is never closed by a line 'END'")]
    [InlineData("log<<\n\n", "$FARM_OUTPUT line 1: 'log<<' names no delimiter after '<<'")]
    [InlineData("=value", "$FARM_OUTPUT line 1: '=value' is not KEY=VALUE; keys are letters, digits and _")]
    public void A_bad_line_fails_with_its_number_and_what_is_wrong(string text, string expected)
    {
        var error = Assert.Throws<OutputFileException>(() => OutputFile.Parse(text));

        Assert.Equal(expected, error.Message);
    }

    [Fact]
    public void Limits_on_keys_and_value_size_are_enforced()
    {
        var tooMany = string.Concat(Enumerable.Range(0, 101).Select(i => $"k{i}=v\n"));
        var bigValue = "big=" + new string('x', 64 * 1024 + 1);

        Assert.Equal("$FARM_OUTPUT line 101: k100 is one key too many; at most 100 keys",
            Assert.Throws<OutputFileException>(() => OutputFile.Parse(tooMany)).Message);
        Assert.Equal("$FARM_OUTPUT line 1: the value of big is over 64 KiB",
            Assert.Throws<OutputFileException>(() => OutputFile.Parse(bigValue)).Message);
        Assert.Equal(64 * 1024, OutputFile.Parse("max=" + new string('x', 64 * 1024))["max"].Length);
    }

    /// <summary>A fresh output folder holding <see cref="OutputFile.FileName"/> with <paramref name="content"/>, or none when null.</summary>
    private string Folder(string name, string? content)
    {
        var folder = Directory.CreateDirectory(Path.Combine(_dir, name)).FullName;
        if (content is not null)
        {
            File.WriteAllText(Path.Combine(folder, OutputFile.FileName), content, new UTF8Encoding(false));
        }

        return folder;
    }

    [Fact]
    public async Task A_missing_or_empty_file_has_no_outputs()
    {
        Assert.Empty(await OutputFile.ReadAsync(Folder("missing", null), CancellationToken.None));
        Assert.Empty(await OutputFile.ReadAsync(Folder("empty", ""), CancellationToken.None));
    }

    [Fact]
    public async Task A_file_is_read_as_utf8_and_refused_over_one_mebibyte()
    {
        var good = Folder("good", "greeting=grüß dich\n");
        var big = Folder("big", new string('#', 1024 * 1024 + 1));

        Assert.Equal("grüß dich", (await OutputFile.ReadAsync(good, CancellationToken.None))["greeting"]);
        var error = await Assert.ThrowsAsync<OutputFileException>(() => OutputFile.ReadAsync(big, CancellationToken.None));
        Assert.Equal("$FARM_OUTPUT holds 1048577 bytes; it may hold at most 1 MiB", error.Message);
    }

    [Fact]
    public async Task A_symbolic_link_to_a_host_file_is_refused_and_never_read()
    {
        var host = Path.Combine(_dir, "credential");
        await File.WriteAllTextAsync(host, "TOKEN=host-secret-4711\n");
        var folder = Folder("linked", null);
        File.CreateSymbolicLink(Path.Combine(folder, OutputFile.FileName), host);

        var error = await Assert.ThrowsAsync<OutputFileException>(() => OutputFile.ReadAsync(folder, CancellationToken.None));

        Assert.Equal(
            "$FARM_OUTPUT is a symbolic link; the agent reads output files only as regular files in the attempt's output folder",
            error.Message);
    }

    [Fact]
    public async Task A_fifo_in_place_of_the_file_is_refused_without_waiting_for_a_writer()
    {
        var folder = Folder("fifo", null);
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", Path.Combine(folder, OutputFile.FileName)))
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await mkfifo.WaitForExitAsync(timeout.Token);
            Assert.Equal(0, mkfifo.ExitCode);
        }

        var error = await Assert.ThrowsAsync<OutputFileException>(() => OutputFile.ReadAsync(folder, CancellationToken.None)).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(
            "$FARM_OUTPUT is not a regular file; the agent reads output files only as regular files in the attempt's output folder",
            error.Message);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
