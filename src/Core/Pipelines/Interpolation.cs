using System.Text;

namespace Farm.Core.Pipelines;

/// <summary>
/// The <c>#{name}</c> references that pipeline text may hold, e.g. <c>#{variables.greeting}</c>,
/// <c>#{execution.id}</c> or <c>#{pipeline.name}</c>.
/// </summary>
/// <remarks>
/// The grammar is deliberately tiny and exact, scanned left to right:
/// <list type="bullet">
/// <item><c>##{</c> is an escape: it produces a literal <c>#{</c> and starts no reference.</item>
/// <item><c>#{</c> starts a reference that ends at the next <c>}</c>; everything between is the name,
/// taken verbatim (no trimming, no nesting).</item>
/// <item>A <c>#{</c> with no <c>}</c> after it is unclosed; see <see cref="IndexOfUnclosed"/>.</item>
/// <item>Every other character, including a lone <c>#</c> or <c>}</c>, is literal.</item>
/// </list>
/// </remarks>
public static class Interpolation
{
    /// <summary>References that start with this name a pipeline secret, resolved only where it reaches the agent.</summary>
    public const string SecretPrefix = "secrets.";

    /// <summary>
    /// The names of every closed reference in <paramref name="text"/>, in order of appearance and
    /// with repeats, e.g. <c>"variables.greeting"</c> for <c>#{variables.greeting}</c>. Escaped
    /// <c>##{</c> and an unclosed <c>#{</c> yield nothing.
    /// </summary>
    public static IReadOnlyList<string> FindReferences(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var names = new List<string>();
        Scan(text, onText: null, onReference: (name, _) => names.Add(name), out _);
        return names;
    }

    /// <summary>
    /// The index of the first <c>#{</c> in <paramref name="text"/> that has no closing <c>}</c>,
    /// or -1 when every reference is closed.
    /// </summary>
    public static int IndexOfUnclosed(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        Scan(text, onText: null, onReference: null, out var unclosedAt);
        return unclosedAt;
    }

    /// <summary>
    /// <paramref name="text"/> with every <c>#{name}</c> replaced by <c>values[name]</c> and every
    /// <c>##{</c> replaced by a literal <c>#{</c>. Replaced values are not scanned again.
    /// </summary>
    /// <param name="text">Text as written in the pipeline file.</param>
    /// <param name="values">Values by reference name, e.g. <c>"variables.greeting"</c>, <c>"execution.id"</c>.</param>
    /// <exception cref="KeyNotFoundException">A reference names no entry of <paramref name="values"/>; the message names it.</exception>
    /// <exception cref="FormatException"><paramref name="text"/> holds an unclosed <c>#{</c>.</exception>
    public static string Resolve(string text, IReadOnlyDictionary<string, string> values)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(values);

        // Most text holds no reference at all; skip the builder then.
        if (!text.Contains("#{", StringComparison.Ordinal))
        {
            return text;
        }

        var result = new StringBuilder(text.Length);
        Scan(
            text,
            onText: segment => result.Append(segment),
            onReference: (name, _) =>
            {
                if (!values.TryGetValue(name, out var value))
                {
                    throw new KeyNotFoundException($"The reference '#{{{name}}}' has no value.");
                }

                result.Append(value);
            },
            out var unclosedAt);

        if (unclosedAt >= 0)
        {
            throw new FormatException($"The '#{{' at index {unclosedAt} has no closing '}}'.");
        }

        return result.ToString();
    }

    /// <summary>
    /// The one scanner behind every public method, so finding, checking and resolving can never
    /// disagree about what is a reference. Stops at the first unclosed <c>#{</c>: after it there is
    /// no <c>}</c>, so nothing further could be a reference.
    /// </summary>
    private static void Scan(
        string text,
        Action<ReadOnlyMemory<char>>? onText,
        Action<string, int>? onReference,
        out int unclosedAt)
    {
        unclosedAt = -1;
        var literalStart = 0;
        var i = 0;
        while (i < text.Length)
        {
            if (string.CompareOrdinal(text, i, "##{", 0, 3) == 0)
            {
                // Emit what came before plus the '#{' the escape stands for; skip all three chars.
                onText?.Invoke(text.AsMemory(literalStart, i - literalStart));
                onText?.Invoke("#{".AsMemory());
                i += 3;
                literalStart = i;
            }
            else if (string.CompareOrdinal(text, i, "#{", 0, 2) == 0)
            {
                var close = text.IndexOf('}', i + 2);
                if (close < 0)
                {
                    unclosedAt = i;
                    return;
                }

                onText?.Invoke(text.AsMemory(literalStart, i - literalStart));
                onReference?.Invoke(text[(i + 2)..close], i);
                i = close + 1;
                literalStart = i;
            }
            else
            {
                i++;
            }
        }

        onText?.Invoke(text.AsMemory(literalStart, text.Length - literalStart));
    }
}
