using System.Text;
using System.Text.RegularExpressions;

namespace Farm.Dashboard.Components.Logs;

/// <summary>
/// A log as it arrives, split into lines: bytes go in by <see cref="Append"/> (UTF-8 sequences may be cut
/// between chunks), lines come out by index. The line still being written is the last one and grows.
/// It remembers the first line that looks like an error as lines complete, so "jump to the first error"
/// costs nothing on a 100,000-line log; search scans text without escape sequences.
/// </summary>
public sealed partial class LogDocument
{
    private readonly List<string> _lines = [];
    private readonly Decoder _decoder = Encoding.UTF8.GetDecoder();
    private readonly StringBuilder _partial = new();
    private char[] _buffer = new char[4096];

    /// <summary>Bytes taken so far: the offset to resume reading from.</summary>
    public long ByteCount { get; private set; }

    /// <summary>Lines, counting the one still being written.</summary>
    public int LineCount => _lines.Count + (_partial.Length > 0 ? 1 : 0);

    /// <summary>Index of the first line that reads as an error; null when none does.</summary>
    public int? FirstErrorLine { get; private set; }

    public string this[int index] => index < _lines.Count ? _lines[index] : _partial.ToString();

    public void Append(ReadOnlySpan<byte> bytes)
    {
        ByteCount += bytes.Length;
        var needed = _decoder.GetCharCount(bytes, flush: false);
        if (needed > _buffer.Length)
        {
            _buffer = new char[Math.Max(needed, _buffer.Length * 2)];
        }

        var count = _decoder.GetChars(bytes, _buffer, flush: false);
        var text = _buffer.AsSpan(0, count);
        while (text.Length > 0)
        {
            var newline = text.IndexOf('\n');
            if (newline < 0)
            {
                _partial.Append(text);
                break;
            }

            _partial.Append(text[..newline]);
            if (_partial.Length > 0 && _partial[^1] == '\r')
            {
                _partial.Length--;
            }

            Complete(_partial.ToString());
            _partial.Clear();
            text = text[(newline + 1)..];
        }
    }

    /// <summary>Indices of the lines that contain <paramref name="term"/>, ignoring case and colours; empty for an empty term.</summary>
    public IReadOnlyList<int> Search(string term)
    {
        var found = new List<int>();
        if (string.IsNullOrEmpty(term))
        {
            return found;
        }

        for (var i = 0; i < LineCount; i++)
        {
            if (AnsiText.Strip(this[i]).Contains(term, StringComparison.OrdinalIgnoreCase))
            {
                found.Add(i);
            }
        }

        return found;
    }

    /// <summary>The whole text taken so far, for tests and small logs.</summary>
    public override string ToString() => string.Join('\n', Enumerable.Range(0, LineCount).Select(i => this[i]));

    private void Complete(string line)
    {
        if (FirstErrorLine is null && LooksLikeError(AnsiText.Strip(line)))
        {
            FirstErrorLine = _lines.Count;
        }

        _lines.Add(line);
    }

    /// <summary>
    /// Words compilers, test runners and shells print when something went wrong, and Farm's own
    /// <c>[farm]</c> failure notes.
    /// </summary>
    public static bool LooksLikeError(string text) => ErrorPattern().IsMatch(text);

    [GeneratedRegex(@"\b(error|failed|fatal|panic|exception)\b|^\[farm\].*\b(exit code|timed out|killed)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ErrorPattern();
}
