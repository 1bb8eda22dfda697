using System.Text;

namespace Farm.Agent.Artifacts;

/// <summary>
/// Reads the output variables the commands wrote to $FARM_OUTPUT, in GitHub Actions' format:
/// <c>KEY=VALUE</c> lines (the value is everything after the first '=', kept exactly, only the line
/// ending removed) and the multi-line form <c>KEY&lt;&lt;DELIMITER</c>, value lines, then a line
/// that is exactly <c>DELIMITER</c> (the value's lines are joined with '\n'). Empty lines are
/// skipped; a key written twice keeps its last value. Keys are letters, digits and '_', not starting
/// with a digit. Limits: <see cref="MaxFileBytes"/>, <see cref="MaxKeys"/>, <see cref="MaxValueBytes"/>.
/// </summary>
public static class OutputFile
{
    public const int MaxFileBytes = 1024 * 1024;
    public const int MaxKeys = 100;
    public const int MaxValueBytes = 64 * 1024;

    private const string Name = "$FARM_OUTPUT";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The file's name in the attempt's output folder.</summary>
    public const string FileName = "output";

    /// <summary>
    /// The variables in <see cref="FileName"/> of <paramref name="outputFolder"/>; none when it is
    /// missing or empty. The action controls the folder's content, so the file is opened without
    /// following a symbolic link (<see cref="NoFollow"/>) and must be a regular file; a link to a host
    /// file (the agent's credential, say) is refused, never read. Throws <see cref="OutputFileException"/>.
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, string>> ReadAsync(string outputFolder, CancellationToken cancellationToken)
    {
        NoFollow.OpenedFile file;
        try
        {
            file = NoFollow.OpenFile(outputFolder, FileName);
        }
        catch (FileNotFoundException)
        {
            return new Dictionary<string, string>();
        }
        catch (NoFollowException e)
        {
            throw new OutputFileException(e.Kind == NoFollowProblem.Link
                ? $"{Name} is a symbolic link; the agent reads output files only as regular files in the attempt's output folder"
                : $"{Name} is not a regular file; the agent reads output files only as regular files in the attempt's output folder");
        }

        byte[] bytes;
        await using (file.Stream)
        {
            if (file.Length > MaxFileBytes)
            {
                throw new OutputFileException($"{Name} holds {file.Length} bytes; it may hold at most 1 MiB");
            }

            // One byte over the cap at most, so a file that grows after it was opened is refused, not read whole.
            bytes = new byte[MaxFileBytes + 1];
            var read = 0;
            int chunk;
            while (read < bytes.Length && (chunk = await file.Stream.ReadAsync(bytes.AsMemory(read), cancellationToken)) > 0)
            {
                read += chunk;
            }

            if (read > MaxFileBytes)
            {
                throw new OutputFileException($"{Name} holds more than 1 MiB; it may hold at most 1 MiB");
            }

            Array.Resize(ref bytes, read);
        }

        string text;
        try
        {
            text = StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new OutputFileException($"{Name} is not UTF-8 text");
        }

        return Parse(text);
    }

    /// <summary>The variables in <paramref name="text"/>. Throws <see cref="OutputFileException"/>.</summary>
    public static IReadOnlyDictionary<string, string> Parse(string text)
    {
        var lines = text.Split('\n');
        var count = text.EndsWith('\n') ? lines.Length - 1 : lines.Length;
        var outputs = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var line = WithoutEnding(lines[i]);
            var number = i + 1;
            if (line.Length == 0)
            {
                continue;
            }

            var equals = line.IndexOf('=');
            var heredoc = line.IndexOf("<<", StringComparison.Ordinal);
            string key, value;
            if (equals >= 0 && (heredoc < 0 || equals < heredoc))
            {
                key = line[..equals];
                value = line[(equals + 1)..];
                CheckKey(key, line, number);
            }
            else if (heredoc >= 0)
            {
                key = line[..heredoc];
                var delimiter = line[(heredoc + 2)..];
                CheckKey(key, line, number);
                if (delimiter.Length == 0)
                {
                    throw new OutputFileException($"{Name} line {number}: '{Shorten(line)}' names no delimiter after '<<'");
                }

                var valueLines = new List<string>();
                var end = i + 1;
                while (end < count && WithoutEnding(lines[end]) != delimiter)
                {
                    valueLines.Add(WithoutEnding(lines[end]));
                    end++;
                }

                if (end == count)
                {
                    throw new OutputFileException($"{Name} line {number}: '{Shorten(line)}' is never closed by a line '{Shorten(delimiter)}'");
                }

                value = string.Join('\n', valueLines);
                i = end;
            }
            else
            {
                throw new OutputFileException($"{Name} line {number}: '{Shorten(line)}' is not KEY=VALUE or KEY<<DELIMITER; keys are letters, digits and _");
            }

            if (Encoding.UTF8.GetByteCount(value) > MaxValueBytes)
            {
                throw new OutputFileException($"{Name} line {number}: the value of {key} is over 64 KiB");
            }

            outputs[key] = value;
            if (outputs.Count > MaxKeys)
            {
                throw new OutputFileException($"{Name} line {number}: {key} is one key too many; at most {MaxKeys} keys");
            }
        }

        return outputs;
    }

    /// <summary>True for a valid key: [A-Za-z_][A-Za-z0-9_]*.</summary>
    public static bool IsKey(string key) =>
        key.Length > 0 && !char.IsAsciiDigit(key[0]) && key.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    private static void CheckKey(string key, string line, int number)
    {
        if (!IsKey(key))
        {
            throw new OutputFileException($"{Name} line {number}: '{Shorten(line)}' is not KEY=VALUE; keys are letters, digits and _");
        }
    }

    private static string WithoutEnding(string line) => line.EndsWith('\r') ? line[..^1] : line;

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..77] + "...";
}
