using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;

namespace Farm.Api;

/// <summary>
/// Matches <c>/</c>-separated names (branches, tags, paths) against globs: <c>*</c> and <c>?</c> stay
/// within one segment, <c>**</c> crosses segments (<c>docs/**</c> matches everything under docs,
/// <c>**/*.md</c> every Markdown file at any depth). Everything else matches itself. Shared by the
/// controller's triggers and the host policy that both the controller and the agent apply.
/// </summary>
public static class PathGlob
{
    private static readonly ConcurrentDictionary<string, Regex> Cache = new();

    public static bool IsMatch(string pattern, string name) => Cache.GetOrAdd(pattern, Compile).IsMatch(name);

    private static Regex Compile(string pattern)
    {
        var regex = new StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '*' && i + 1 < pattern.Length && pattern[i + 1] == '*')
            {
                i++;
                if (i + 1 < pattern.Length && pattern[i + 1] == '/')
                {
                    // "**/" also matches no folder at all: **/*.md matches README.md.
                    i++;
                    regex.Append("(?:.*/)?");
                }
                else
                {
                    regex.Append(".*");
                }
            }
            else if (c == '*')
            {
                regex.Append("[^/]*");
            }
            else if (c == '?')
            {
                regex.Append("[^/]");
            }
            else
            {
                regex.Append(Regex.Escape(c.ToString()));
            }
        }

        return new Regex(regex.Append('$').ToString(), RegexOptions.CultureInvariant);
    }
}
