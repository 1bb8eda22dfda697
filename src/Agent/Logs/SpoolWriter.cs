using System.Buffers;

namespace Farm.Agent.Logs;

/// <summary>
/// One output source of a <see cref="LogSpool"/>: holds back a partial line until its newline
/// arrives (or <see cref="FlushAsync"/> at the end), so the spool receives whole lines. Not
/// thread-safe: one source, one reader loop.
/// </summary>
public sealed class SpoolWriter(LogSpool spool)
{
    private readonly ArrayBufferWriter<byte> _partial = new();

    public async Task WriteAsync(ReadOnlyMemory<byte> bytes)
    {
        var lastNewline = bytes.Span.LastIndexOf((byte)'\n');
        if (lastNewline < 0)
        {
            _partial.Write(bytes.Span);
            return;
        }

        var lines = bytes[..(lastNewline + 1)];
        if (_partial.WrittenCount > 0)
        {
            _partial.Write(lines.Span);
            await spool.AppendAsync(_partial.WrittenMemory.ToArray());
            _partial.Clear();
        }
        else
        {
            await spool.AppendAsync(lines.ToArray());
        }

        _partial.Write(bytes.Span[(lastNewline + 1)..]);
    }

    /// <summary>Writes a last line that has no newline, exactly as it is.</summary>
    public async Task FlushAsync()
    {
        if (_partial.WrittenCount > 0)
        {
            await spool.AppendAsync(_partial.WrittenMemory.ToArray());
            _partial.Clear();
        }
    }

    /// <summary>Copies a whole stream through this writer, then flushes it.</summary>
    public async Task CopyFromAsync(Stream source, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
        {
            await WriteAsync(buffer.AsMemory(0, read));
        }

        await FlushAsync();
    }
}
