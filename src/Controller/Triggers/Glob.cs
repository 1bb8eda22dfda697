using Farm.Api;
using Farm.Core.Pipelines;

namespace Farm.Controller.Triggers;

/// <summary>Matches branch, tag and path names against trigger globs (<see cref="PathGlob"/>).</summary>
public static class Glob
{
    public static bool IsMatch(string pattern, string name) => PathGlob.IsMatch(pattern, name);

    /// <summary>
    /// True when <paramref name="name"/> matches an include (any name when the include list is empty)
    /// and no exclude.
    /// </summary>
    public static bool Includes(this GlobFilter filter, string name) =>
        (filter.Include.Count == 0 || filter.Include.Any(p => IsMatch(p, name)))
        && !filter.Exclude.Any(p => IsMatch(p, name));
}
