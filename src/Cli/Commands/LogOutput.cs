using System.Text;

namespace Farm.Cli.Commands;

/// <summary>
/// Standard output as bytes, remembering whether the last byte ended a line so a header never
/// lands in the middle of the previous log's unfinished last line.
/// </summary>
internal sealed class LogOutput(Stream stream) : IAsyncDisposable
{
    private bool _atLineStart = true;

    public async Task WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellation)
    {
        if (bytes.IsEmpty)
        {
            return;
        }

        await stream.WriteAsync(bytes, cancellation);
        await stream.FlushAsync(cancellation);
        _atLineStart = bytes.Span[^1] == (byte)'\n';
    }

    public async Task WriteHeaderAsync(string header, CancellationToken cancellation)
    {
        if (!_atLineStart)
        {
            await stream.WriteAsync("\n"u8.ToArray(), cancellation);
        }

        await WriteAsync(Encoding.UTF8.GetBytes(header), cancellation);
    }

    public ValueTask DisposeAsync() => stream.DisposeAsync();
}
