using System.Text;
using Farm.Agent.Logs;

namespace Farm.Agent.Tests.Logs;

public sealed class LogSpoolTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("farm-spool-").FullName;

    private static ReadOnlyMemory<byte> Bytes(string text) => Encoding.UTF8.GetBytes(text);

    [Fact]
    public async Task Two_sources_mix_only_at_line_ends_and_every_byte_is_kept()
    {
        var path = Path.Combine(_dir, "a.log");
        await using (var spool = new LogSpool(path))
        {
            var stdout = spool.CreateWriter();
            var stderr = spool.CreateWriter();

            await stdout.WriteAsync(Bytes("out one, "));
            await stderr.WriteAsync(Bytes("err one\nerr two, "));
            await stdout.WriteAsync(Bytes("still one\r\nout two\n"));
            await stderr.WriteAsync(Bytes("still two\n"));
            await stdout.WriteAsync(Bytes("no newline"));
            await stdout.FlushAsync();
            await stderr.FlushAsync();
            await spool.CompleteAsync();

            Assert.Equal(new FileInfo(path).Length, spool.Length);
            Assert.True(spool.Completed);
        }

        Assert.Equal("err one\nout one, still one\r\nout two\nerr two, still two\nno newline", await File.ReadAllTextAsync(path));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Spool_file_is_readable_by_its_owner_only()
    {
        var path = Path.Combine(_dir, "private.log");
        await using var spool = new LogSpool(path);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }

    [Fact]
    public async Task Waiting_reader_wakes_when_a_line_is_written()
    {
        await using var spool = new LogSpool(Path.Combine(_dir, "b.log"));
        var writer = spool.CreateWriter();
        var waiting = spool.WaitAsync(0, CancellationToken.None);

        await writer.WriteAsync(Bytes("partial"));
        Assert.False(waiting.IsCompleted);
        await writer.WriteAsync(Bytes(" line\n"));

        await waiting.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(13, spool.Length);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
