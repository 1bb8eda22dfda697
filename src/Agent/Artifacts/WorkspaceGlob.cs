namespace Farm.Agent.Artifacts;

/// <summary>
/// Workspace-relative paths and globs: <c>*</c> matches any characters within one folder name,
/// <c>?</c> one character, and a <c>**</c> segment any number of folders (none included). A pattern
/// without wildcards is a plain path. A match that is a folder brings everything under it. Names
/// starting with '.' match like any other. Symbolic links are matched as themselves and never
/// followed. Patterns that are absolute or climb with '..' are refused.
/// </summary>
public static class WorkspaceGlob
{
    /// <summary>True when <paramref name="relativePath"/> ('/'-separated) matches <paramref name="pattern"/>.</summary>
    public static bool IsMatch(string pattern, string relativePath) =>
        Match(Normalize(pattern), relativePath.Split('/', StringSplitOptions.RemoveEmptyEntries), 0, 0);

    /// <summary>
    /// Every file, folder and symbolic link in <paramref name="workspace"/> that a pattern matches or
    /// that lies under a matched folder, sorted by path (ordinal), so a parent comes before its
    /// children. .NET cannot tell a pipe or a device from a file without following it, so those count
    /// as files; workspaces do not hold them in practice.
    /// </summary>
    public static IReadOnlyList<WorkspaceEntry> Expand(string workspace, IEnumerable<string> patterns)
    {
        var normalized = patterns.Select(Normalize).ToArray();
        var found = new List<WorkspaceEntry>();
        Walk(new DirectoryInfo(workspace), "", normalized, underMatch: false, found);
        found.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        return found;
    }

    private static void Walk(DirectoryInfo folder, string prefix, string[][] patterns, bool underMatch, List<WorkspaceEntry> found)
    {
        foreach (var info in folder.EnumerateFileSystemInfos())
        {
            var path = prefix + info.Name;
            var kind = info.LinkTarget is not null ? WorkspaceEntryKind.Link
                : info is DirectoryInfo ? WorkspaceEntryKind.Folder
                : WorkspaceEntryKind.File;

            var segments = path.Split('/');
            var matched = underMatch || patterns.Any(p => Match(p, segments, 0, 0));
            if (matched)
            {
                found.Add(new WorkspaceEntry(path, kind));
            }

            if (kind == WorkspaceEntryKind.Folder)
            {
                Walk((DirectoryInfo)info, path + "/", patterns, matched, found);
            }
        }
    }

    /// <summary>The pattern as segments; an empty array stands for the whole workspace.</summary>
    private static string[] Normalize(string pattern)
    {
        if (pattern.StartsWith('/') || Path.IsPathRooted(pattern))
        {
            throw new ArtifactException($"'{pattern}' is an absolute path; artifact paths are relative to the workspace");
        }

        var segments = pattern.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(s => s != ".").ToArray();
        if (segments.Contains(".."))
        {
            throw new ArtifactException($"'{pattern}' climbs out of the workspace with '..'; artifact paths stay inside it");
        }

        return segments;
    }

    private static bool Match(string[] pattern, string[] path, int p, int s)
    {
        while (p < pattern.Length)
        {
            if (pattern[p] == "**")
            {
                // Any number of folders, none included: try every split point.
                for (var skip = s; skip <= path.Length; skip++)
                {
                    if (Match(pattern, path, p + 1, skip))
                    {
                        return true;
                    }
                }

                return false;
            }

            if (s >= path.Length || !MatchSegment(pattern[p], path[s]))
            {
                return false;
            }

            p++;
            s++;
        }

        return s == path.Length || pattern.Length == 0;
    }

    private static bool MatchSegment(ReadOnlySpan<char> pattern, ReadOnlySpan<char> name)
    {
        // Classic wildcard matching with one backtrack point for the latest '*'.
        int p = 0, n = 0, star = -1, mark = 0;
        while (n < name.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || pattern[p] == name[n]))
            {
                p++;
                n++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                mark = n;
            }
            else if (star >= 0)
            {
                p = star + 1;
                n = ++mark;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }
}
