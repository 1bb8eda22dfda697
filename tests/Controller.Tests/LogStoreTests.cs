using System.Text;
using Farm.Controller.Hosting;
using Farm.Controller.Logs;
using Microsoft.Extensions.Options;

namespace Farm.Controller.Tests;

public sealed class LogStoreTests
{
    private readonly LogStore _store = new(Options.Create(new ControllerOptions { DataDir = Directory.CreateTempSubdirectory("farm-logs-").FullName }));

    private static ReadOnlyMemory<byte> Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private async Task<string> ReadAllAsync(string attemptId) =>
        Encoding.UTF8.GetString(await _store.ReadAsync(attemptId, 0, 1 << 20, CancellationToken.None));

    [Fact]
    public async Task Resent_bytes_are_stored_once_and_a_gap_is_refused()
    {
        Assert.Equal(6, await _store.AppendAsync("p-1.1", 0, Bytes("one\ntw"), CancellationToken.None));
        Assert.Equal(6, await _store.AppendAsync("p-1.1", 0, Bytes("one\ntw"), CancellationToken.None));
        Assert.Equal(11, await _store.AppendAsync("p-1.1", 4, Bytes("two\nthr"), CancellationToken.None));
        var gap = await Assert.ThrowsAsync<LogGapException>(() => _store.AppendAsync("p-1.1", 13, Bytes("x"), CancellationToken.None));

        Assert.Equal(11, gap.Stored);
        Assert.Equal("one\ntwo\nthr", await ReadAllAsync("p-1.1"));
        Assert.Equal(11, _store.Length("p-1.1"));
    }

    [Fact]
    public async Task Reads_return_the_asked_range_and_nothing_past_the_end()
    {
        await _store.AppendAsync("p-2.1", 0, Bytes("abcdef"), CancellationToken.None);

        Assert.Equal("cd", Encoding.UTF8.GetString(await _store.ReadAsync("p-2.1", 2, 2, CancellationToken.None)));
        Assert.Empty(await _store.ReadAsync("p-2.1", 6, 10, CancellationToken.None));
        Assert.Empty(await _store.ReadAsync("p-9.1", 0, 10, CancellationToken.None));
    }

    [Fact]
    public async Task A_follower_wakes_on_the_next_append()
    {
        var waiting = _store.WaitForAppendAsync("p-3.1", TimeSpan.FromSeconds(30), CancellationToken.None);
        Assert.False(waiting.IsCompleted);

        await _store.AppendAsync("p-3.1", 0, Bytes("x"), CancellationToken.None);

        await waiting.WaitAsync(TimeSpan.FromSeconds(5));
    }
}
