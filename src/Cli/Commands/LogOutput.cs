using System.Buffers;
using System.Text;

namespace Farm.Cli.Commands;

/// <summary>
/// Standard output as bytes, remembering whether the last byte ended a line so a header never
/// lands in the middle of the previous log's unfinished last line. Unless <paramref name="raw"/>,
/// log text goes through a <see cref="TerminalFilter"/>: an action's output is not trusted to drive
/// the terminal of whoever reads it. Headers are Farm's own and written as they are.
/// </summary>
internal sealed class LogOutput(Stream stream, bool raw = false) : IAsyncDisposable
{
    private readonly TerminalFilter? _filter = raw ? null : new TerminalFilter();
    private readonly ArrayBufferWriter<byte> _filtered = new();
    private bool _atLineStart = true;

    public async Task WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellation)
    {
        if (_filter is not null)
        {
            _filtered.Clear();
            _filter.Write(bytes.Span, _filtered);
            bytes = _filtered.WrittenMemory;
        }

        await WriteAsIsAsync(bytes, cancellation);
    }

    public async Task WriteHeaderAsync(string header, CancellationToken cancellation)
    {
        // The previous log ends here: a sequence it left unfinished must not take in the header.
        if (_filter is not null)
        {
            _filtered.Clear();
            _filter.Reset(_filtered);
            await WriteAsIsAsync(_filtered.WrittenMemory, cancellation);
        }

        if (!_atLineStart)
        {
            await stream.WriteAsync("\n"u8.ToArray(), cancellation);
        }

        await WriteAsIsAsync(Encoding.UTF8.GetBytes(header), cancellation);
    }

    private async Task WriteAsIsAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellation)
    {
        if (bytes.IsEmpty)
        {
            return;
        }

        await stream.WriteAsync(bytes, cancellation);
        await stream.FlushAsync(cancellation);
        _atLineStart = bytes.Span[^1] == (byte)'\n';
    }

    public async ValueTask DisposeAsync()
    {
        if (_filter is not null)
        {
            _filtered.Clear();
            _filter.Reset(_filtered);
            await stream.WriteAsync(_filtered.WrittenMemory);
        }

        await stream.DisposeAsync();
    }
}
