using System.Text;
using Farm.Controller.Hosting;
using Farm.Controller.Logs;
using Microsoft.Extensions.Options;

namespace Farm.Controller.Tests.Logs;

public sealed class LogStoreCapTests
{
    private const long Cap = 1 << 20;
    private const string Attempt = "p-1.1";
    private static readonly string Marker =
        "\n[farm] log truncated: it reached the 1 MiB limit (MaxLogBytes); the rest of the output was not stored.\n";

    private readonly string _dataDir = Directory.CreateTempSubdirectory("farm-logs-").FullName;

    private LogStore NewStore() => new(Options.Create(new ControllerOptions { DataDir = _dataDir, MaxLogBytes = Cap }));

    private static byte[] Fill(char c, long count) => Encoding.ASCII.GetBytes(new string(c, (int)count));

    private static async Task<string> ReadAllAsync(LogStore store) =>
        Encoding.ASCII.GetString(await store.ReadAsync(Attempt, 0, int.MaxValue, CancellationToken.None));

    [Fact]
    public void Marker_names_the_limit_as_the_operator_set_it()
    {
        Assert.Equal(
            "\n[farm] log truncated: it reached the 64 MiB limit (MaxLogBytes); the rest of the output was not stored.\n",
            LogStore.TruncationMarker(new ControllerOptions().MaxLogBytes));
        Assert.Contains("the 10 GiB limit", LogStore.TruncationMarker(10L << 30));
        Assert.Contains("the 1.5 MiB limit", LogStore.TruncationMarker(3L << 19));
    }

    [Fact]
    public async Task Append_past_the_cap_stores_the_prefix_and_the_marker_once_and_acknowledges_everything()
    {
        var store = NewStore();
        var none = CancellationToken.None;

        Assert.Equal(Cap - 10, await store.AppendAsync(Attempt, 0, Fill('a', Cap - 10), none));
        Assert.Equal(Cap + 20, await store.AppendAsync(Attempt, Cap - 10, Fill('b', 30), none));
        Assert.Equal(Cap + 120, await store.AppendAsync(Attempt, Cap + 20, Fill('c', 100), none));

        var expected = new string('a', (int)Cap - 10) + new string('b', 10) + Marker;
        Assert.Equal(expected, await ReadAllAsync(store));
        Assert.Equal(expected.Length, store.Length(Attempt));
        Assert.Equal(Cap + 120, store.Acknowledged(Attempt));
    }

    [Fact]
    public async Task Append_that_ends_exactly_at_the_cap_is_stored_whole_and_the_next_byte_truncates()
    {
        var store = NewStore();

        Assert.Equal(Cap, await store.AppendAsync(Attempt, 0, Fill('a', Cap), CancellationToken.None));
        Assert.Equal(new string('a', (int)Cap), await ReadAllAsync(store));

        Assert.Equal(Cap + 1, await store.AppendAsync(Attempt, Cap, Fill('b', 1), CancellationToken.None));
        Assert.Equal(new string('a', (int)Cap) + Marker, await ReadAllAsync(store));
    }

    [Fact]
    public async Task Resend_after_a_reconnect_resumes_at_the_agents_offset_and_stores_nothing_twice()
    {
        var none = CancellationToken.None;
        var first = NewStore();
        await first.AppendAsync(Attempt, 0, Fill('a', Cap - 10), none);
        await first.AppendAsync(Attempt, Cap - 10, Fill('b', 30), none);
        await first.AppendAsync(Attempt, Cap + 20, Fill('c', 100), none);
        var stored = await ReadAllAsync(first);

        // A new controller process on the same folder: the agent asks where to resume, then resends
        // an overlapping chunk, an old one, and new bytes.
        var second = NewStore();
        var resume = second.Acknowledged(Attempt);
        var overlapping = await second.AppendAsync(Attempt, Cap + 100, Fill('c', 40), none);
        var old = await second.AppendAsync(Attempt, 0, Fill('a', 50), none);
        var gap = await Assert.ThrowsAsync<LogGapException>(() => second.AppendAsync(Attempt, Cap + 500, Fill('d', 1), none));

        Assert.Equal(Cap + 120, resume);
        Assert.Equal(Cap + 140, overlapping);
        Assert.Equal(Cap + 140, old);
        Assert.Equal(Cap + 140, gap.Stored);
        Assert.Equal(stored, await ReadAllAsync(second));
        Assert.Equal(Cap + 140, NewStore().Acknowledged(Attempt));
    }

    [Fact]
    public async Task Marker_lost_to_a_crash_after_the_sidecar_is_written_on_the_next_append()
    {
        var none = CancellationToken.None;
        var store = NewStore();
        await store.AppendAsync(Attempt, 0, Fill('a', Cap + 5), none);
        var path = store.PathOf(Attempt);
        await using (var file = new FileStream(path, FileMode.Open, FileAccess.Write))
        {
            file.SetLength(Cap + 3);
        }

        Assert.Equal(Cap + 10, await NewStore().AppendAsync(Attempt, Cap + 5, Fill('b', 5), none));

        Assert.Equal(new string('a', (int)Cap) + Marker, await ReadAllAsync(store));
    }
}
