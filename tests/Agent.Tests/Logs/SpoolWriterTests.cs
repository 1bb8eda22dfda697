using System.Text;
using Farm.Agent.Logs;

namespace Farm.Agent.Tests.Logs;

public sealed class SpoolWriterTests : IDisposable
{
    private const int Max = SpoolWriter.MaxLineBytes;
    private readonly string _dir = Directory.CreateTempSubdirectory("farm-spool-").FullName;

    private static ReadOnlyMemory<byte> Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private async Task<string> WriteAsync(SecretMask? mask, params string[] writes)
    {
        var path = Path.Combine(_dir, Guid.NewGuid() + ".log");
        await using (var spool = new LogSpool(path, mask))
        {
            var writer = spool.CreateWriter();
            foreach (var write in writes)
            {
                await writer.WriteAsync(Bytes(write));
            }

            await writer.FlushAsync();
            await spool.CompleteAsync();
            Assert.Equal(new FileInfo(path).Length, spool.Length);
        }

        return await File.ReadAllTextAsync(path);
    }

    [Fact]
    public async Task Line_of_exactly_the_limit_is_kept_whole()
    {
        var line = new string('a', Max);

        Assert.Equal(line + "\nnext\n", await WriteAsync(null, line + "\nnext\n"));
    }

    [Fact]
    public async Task Longer_line_keeps_its_first_64_KiB_and_a_marker_and_the_next_line_is_whole()
    {
        var line = new string('a', Max) + new string('b', 10);

        var stored = await WriteAsync(null, "before\n" + line + "\nafter\n");

        Assert.Equal("before\n" + new string('a', Max) + " [farm] line truncated: 10 more bytes\nafter\n", stored);
    }

    [Fact]
    public async Task Long_line_written_in_pieces_is_cut_the_same_and_counts_every_dropped_byte()
    {
        var piece = new string('x', 16 * 1024);
        var writes = Enumerable.Repeat(piece, 10).Append("tail\nnext").ToArray();

        var stored = await WriteAsync(null, writes);

        Assert.Equal(new string('x', Max) + $" [farm] line truncated: {6 * 16 * 1024 + 4} more bytes\nnext", stored);
    }

    [Fact]
    public async Task Last_line_without_newline_is_cut_too()
    {
        var stored = await WriteAsync(null, "ok\n" + new string('z', Max + 3));

        Assert.Equal("ok\n" + new string('z', Max) + " [farm] line truncated: 3 more bytes\n", stored);
    }

    [Fact]
    public async Task Secret_across_the_cut_is_masked_not_half_kept()
    {
        const string secret = "hunter2-very-secret";
        var line = new string('a', Max - 5) + secret + new string('b', 100);

        var stored = await WriteAsync(new SecretMask([secret]), line + "\n");

        Assert.DoesNotContain("hunte", stored);
        Assert.StartsWith(new string('a', Max - 5) + "***bb", stored);
        Assert.EndsWith($" [farm] line truncated: {secret.Length + 100 - 5} more bytes\n", stored);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
