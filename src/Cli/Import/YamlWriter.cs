using System.Globalization;
using System.Text;

namespace Farm.Cli.Import;

/// <summary>
/// A minimal YAML emitter for pipeline files, written by hand because the CLI does not reference
/// YamlDotNet. Every text value is quoted, so nothing in it can be read as a comment, a number, a
/// boolean, null or another structure:
/// <list type="bullet">
/// <item>single quotes for one-line printable text, an inner <c>'</c> doubled;</item>
/// <item>double quotes with escapes for anything holding line breaks, tabs or control characters.</item>
/// </list>
/// Only fixed words the importer chooses (<c>container</c>, <c>rollback</c>, numbers) are written plain.
/// </summary>
internal sealed class YamlWriter
{
    private readonly StringBuilder _text = new();
    private bool _itemPending;

    public override string ToString() => _text.ToString();

    /// <summary>A comment line at <paramref name="indent"/>; line breaks in it are shown as <c>\n</c>.</summary>
    public void Comment(int indent, string text)
    {
        var flat = new StringBuilder();
        foreach (var c in text)
        {
            flat.Append(c switch
            {
                '\n' => "\\n",
                '\r' => "",
                _ when char.IsControl(c) && c != '\t' => "?",
                _ => c.ToString(),
            });
        }

        Line(indent, ("# " + flat).TrimEnd());
    }

    public void BlankLine() => _text.Append('\n');

    /// <summary>Starts a list item of a mapping: the next line, written at the mapping's indent, gets <c>- </c> two columns before it.</summary>
    public void Item() => _itemPending = true;

    /// <summary><c>key:</c> opening a nested mapping or list.</summary>
    public void Key(int indent, string key) => Line(indent, key + ":");

    /// <summary><c>key: 'text'</c>.</summary>
    public void Text(int indent, string key, string value) => Line(indent, $"{key}: {Quote(value)}");

    /// <summary><c>key: word</c> for a word the importer chose itself (letters and digits only).</summary>
    public void Word(int indent, string key, string word)
    {
        if (word.Length == 0 || !word.All(char.IsAsciiLetterOrDigit))
        {
            throw new ArgumentException($"'{word}' is not a plain word; write it with Text.", nameof(word));
        }

        Line(indent, $"{key}: {word}");
    }

    public void Number(int indent, string key, int value) =>
        Line(indent, $"{key}: {value.ToString(CultureInfo.InvariantCulture)}");

    /// <summary>A list item that is one text value, <c>- 'text'</c>, under a key written at <paramref name="keyIndent"/>.</summary>
    public void TextItem(int keyIndent, string value) => Line(keyIndent + 2, "- " + Quote(value));

    /// <summary>The YAML form of <paramref name="value"/> as a quoted scalar that reads back exactly.</summary>
    public static string Quote(string value)
    {
        if (!value.Any(NeedsEscape))
        {
            return "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
        }

        var quoted = new StringBuilder("\"");
        foreach (var c in value)
        {
            quoted.Append(c switch
            {
                '\\' => "\\\\",
                '"' => "\\\"",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                '\0' => "\\0",
                _ when NeedsEscape(c) => $"\\u{(int)c:X4}",
                _ => c.ToString(),
            });
        }

        return quoted.Append('"').ToString();
    }

    // Control characters, and the characters YAML reads as line breaks or byte-order marks.
    private static bool NeedsEscape(char c) => char.IsControl(c) || c is '\u2028' or '\u2029' or '\uFEFF';

    private void Line(int indent, string content)
    {
        if (_itemPending)
        {
            _text.Append(' ', Math.Max(0, indent - 2)).Append("- ");
            _itemPending = false;
        }
        else
        {
            _text.Append(' ', indent);
        }

        _text.Append(content).Append('\n');
    }
}
