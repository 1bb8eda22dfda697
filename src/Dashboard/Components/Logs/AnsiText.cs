using System.Text;

namespace Farm.Dashboard.Components.Logs;

/// <summary>
/// Reads the ANSI escape sequences that build tools print for colour (SGR: <c>ESC [ … m</c>) and turns
/// them into CSS classes: <c>ansi-fg-N</c> / <c>ansi-bg-N</c> for the 16 standard colours, and
/// <c>ansi-bold</c>, <c>ansi-dim</c>, <c>ansi-italic</c>, <c>ansi-underline</c>. 256-colour and RGB
/// colours fall back to the default colour; any other escape sequence (cursor moves, erase) is dropped
/// so it never shows as garbage. The text itself is returned as text, never as markup.
/// </summary>
public static class AnsiText
{
    private const char Escape = '\u001b';

    public static IReadOnlyList<AnsiSegment> Parse(string line)
    {
        if (line.IndexOf(Escape) < 0)
        {
            return [new AnsiSegment(line, "")];
        }

        var segments = new List<AnsiSegment>();
        var style = new Style();
        var text = new StringBuilder();
        var i = 0;
        while (i < line.Length)
        {
            if (line[i] != Escape)
            {
                text.Append(line[i++]);
                continue;
            }

            var (end, final, parameters) = ReadSequence(line, i);
            if (final == 'm')
            {
                Flush(segments, text, style);
                style = style.Apply(parameters);
            }

            i = end;
        }

        Flush(segments, text, style);
        return segments;
    }

    /// <summary>The text without escape sequences, for search and error detection.</summary>
    public static string Strip(string line) =>
        line.IndexOf(Escape) < 0 ? line : string.Concat(Parse(line).Select(s => s.Text));

    private static void Flush(List<AnsiSegment> segments, StringBuilder text, Style style)
    {
        if (text.Length > 0)
        {
            segments.Add(new AnsiSegment(text.ToString(), style.Css));
            text.Clear();
        }
    }

    /// <summary>Reads a sequence starting at <paramref name="start"/> (the ESC): where it ends, its final character for CSI sequences ('\0' otherwise), and its numbers.</summary>
    private static (int End, char Final, List<int> Parameters) ReadSequence(string line, int start)
    {
        var parameters = new List<int>();
        if (start + 1 >= line.Length || line[start + 1] != '[')
        {
            // A two-character escape (ESC plus one); nothing Farm renders.
            return (Math.Min(start + 2, line.Length), '\0', parameters);
        }

        var i = start + 2;
        var number = -1;
        while (i < line.Length)
        {
            var c = line[i];
            if (char.IsAsciiDigit(c))
            {
                number = (number < 0 ? 0 : number * 10) + (c - '0');
                if (number > 100_000)
                {
                    number = 100_000;
                }
            }
            else if (c is ';' or ':')
            {
                parameters.Add(number < 0 ? 0 : number);
                number = -1;
            }
            else if (c is >= '@' and <= '~')
            {
                parameters.Add(number < 0 ? 0 : number);
                return (i + 1, c, parameters);
            }

            i++;
        }

        return (line.Length, '\0', parameters);
    }

    private readonly record struct Style(int Foreground, int Background, bool Bold, bool Dim, bool Italic, bool Underline)
    {
        public Style()
            : this(-1, -1, false, false, false, false)
        {
        }

        public string Css
        {
            get
            {
                var classes = new List<string>(4);
                if (Foreground >= 0)
                {
                    classes.Add($"ansi-fg-{Foreground}");
                }

                if (Background >= 0)
                {
                    classes.Add($"ansi-bg-{Background}");
                }

                if (Bold)
                {
                    classes.Add("ansi-bold");
                }

                if (Dim)
                {
                    classes.Add("ansi-dim");
                }

                if (Italic)
                {
                    classes.Add("ansi-italic");
                }

                if (Underline)
                {
                    classes.Add("ansi-underline");
                }

                return string.Join(' ', classes);
            }
        }

        public Style Apply(List<int> parameters)
        {
            var style = this;
            for (var p = 0; p < parameters.Count; p++)
            {
                var code = parameters[p];
                style = code switch
                {
                    0 => new Style(),
                    1 => style with { Bold = true },
                    2 => style with { Dim = true },
                    3 => style with { Italic = true },
                    4 => style with { Underline = true },
                    22 => style with { Bold = false, Dim = false },
                    23 => style with { Italic = false },
                    24 => style with { Underline = false },
                    >= 30 and <= 37 => style with { Foreground = code - 30 },
                    39 => style with { Foreground = -1 },
                    >= 40 and <= 47 => style with { Background = code - 40 },
                    49 => style with { Background = -1 },
                    >= 90 and <= 97 => style with { Foreground = code - 90 + 8 },
                    >= 100 and <= 107 => style with { Background = code - 100 + 8 },
                    _ => style,
                };
                if (code is 38 or 48)
                {
                    // 38;5;N or 38;2;R;G;B: skip the colour's numbers and keep the default colour.
                    p += p + 1 < parameters.Count && parameters[p + 1] == 5 ? 2 : 4;
                    style = code == 38 ? style with { Foreground = -1 } : style with { Background = -1 };
                }
            }

            return style;
        }
    }
}
