using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;
using Farm.Core.Pipelines;

namespace Farm.Controller.Triggers;

/// <summary>
/// Matches branch, tag and path names against trigger globs: <c>*</c> and <c>?</c> stay within one
/// <c>/</c>-separated segment, <c>**</c> crosses segments (<c>docs/**</c> matches everything under
/// docs, <c>**/*.md</c> every Markdown file at any depth). Everything else matches itself.
/// </summary>
public static class Glob
{
    private static readonly ConcurrentDictionary<string, Regex> Cache = new();

    public static bool IsMatch(string pattern, string name) => Cache.GetOrAdd(pattern, Compile).IsMatch(name);

    /// <summary>
    /// True when <paramref name="name"/> matches an include (any name when the include list is empty)
    /// and no exclude.
    /// </summary>
    public static bool Includes(this GlobFilter filter, string name) =>
        (filter.Include.Count == 0 || filter.Include.Any(p => IsMatch(p, name)))
        && !filter.Exclude.Any(p => IsMatch(p, name));

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
