using System.Buffers;
using System.Text;

namespace Farm.Agent.Logs;

/// <summary>
/// One output source of a <see cref="LogSpool"/>: holds back a partial line until its newline
/// arrives (or <see cref="FlushAsync"/> at the end), so the spool receives whole lines. A line
/// longer than <see cref="MaxLineBytes"/> is stored as its first <see cref="MaxLineBytes"/> bytes
/// and <c> [farm] line truncated: N more bytes\n</c>, N counting the bytes of the line (as the
/// action wrote them, newline excluded) that were dropped; so one runaway line holds at most
/// 64 KiB in memory and in the log. Not thread-safe: one source, one reader loop.
/// </summary>
public sealed class SpoolWriter
{
    /// <summary>The longest line kept whole: 64 KiB, newline excluded.</summary>
    public const int MaxLineBytes = 64 * 1024;

    private readonly LogSpool _spool;

    /// <summary>The current line's first bytes: all of it, or when too long, enough to cut it safely.</summary>
    private readonly ArrayBufferWriter<byte> _partial = new();

    /// <summary>Bytes kept of a long line: the cap, plus enough to mask a secret that straddles the cut.</summary>
    private readonly int _retain;

    /// <summary>Bytes of the current line seen so far, newline excluded.</summary>
    private long _lineLength;

    public SpoolWriter(LogSpool spool)
    {
        _spool = spool;
        _retain = MaxLineBytes + Math.Max(0, spool.Mask.LongestPatternBytes - 1);
    }

    public async Task WriteAsync(ReadOnlyMemory<byte> bytes)
    {
        var lastNewline = bytes.Span.LastIndexOf((byte)'\n');
        if (lastNewline < 0)
        {
            Hold(bytes.Span);
            return;
        }

        await _spool.AppendAsync(CompleteLines(bytes.Span[..(lastNewline + 1)]));
        Hold(bytes.Span[(lastNewline + 1)..]);
    }

    /// <summary>Writes <paramref name="line"/> and a newline: Farm's own notes among the action's output.</summary>
    public Task WriteLineAsync(string line) => WriteAsync(System.Text.Encoding.UTF8.GetBytes(line + "\n"));

    /// <summary>Writes a last line that has no newline, exactly as it is (cut like any line when too long).</summary>
    public async Task FlushAsync()
    {
        if (_lineLength > 0)
        {
            var line = new ArrayBufferWriter<byte>();
            EndLine(line, newline: false);
            await _spool.AppendAsync(line.WrittenMemory);
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

    /// <summary>The held partial line and <paramref name="lines"/>, which end with a newline, each line cut if too long.</summary>
    private ReadOnlyMemory<byte> CompleteLines(ReadOnlySpan<byte> lines)
    {
        var output = new ArrayBufferWriter<byte>(_partial.WrittenCount + lines.Length);
        int newline;
        while ((newline = lines.IndexOf((byte)'\n')) >= 0)
        {
            if (_lineLength == 0 && newline <= MaxLineBytes)
            {
                // The usual line: whole in this chunk and short enough, copied once.
                output.Write(lines[..(newline + 1)]);
            }
            else
            {
                Hold(lines[..newline]);
                EndLine(output, newline: true);
            }

            lines = lines[(newline + 1)..];
        }

        return output.WrittenMemory;
    }

    private void Hold(ReadOnlySpan<byte> bytes)
    {
        var room = _retain - _partial.WrittenCount;
        if (room > 0)
        {
            _partial.Write(bytes[..Math.Min(room, bytes.Length)]);
        }

        _lineLength += bytes.Length;
    }

    private void EndLine(ArrayBufferWriter<byte> output, bool newline)
    {
        if (_lineLength <= MaxLineBytes)
        {
            output.Write(_partial.WrittenSpan);
            if (newline)
            {
                output.Write("\n"u8);
            }
        }
        else
        {
            // Masked before the cut, so a secret across it cannot leave its first half in the log.
            var masked = _spool.Mask.Apply(_partial.WrittenMemory).Span;
            output.Write(masked[..Math.Min(MaxLineBytes, masked.Length)]);
            output.Write(Encoding.UTF8.GetBytes($" [farm] line truncated: {_lineLength - MaxLineBytes} more bytes\n"));
        }

        _partial.Clear();
        _lineLength = 0;
    }
}
