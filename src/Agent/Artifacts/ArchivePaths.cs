namespace Farm.Agent.Artifacts;

/// <summary>
/// The path rules archives obey both ways, so anything the agent packs it would also unpack: entry
/// names are relative, '/'-separated, and never climb with '..'; a symbolic link's target is relative
/// and stays inside the workspace, and climbs with '..' only at its start (so it climbs through the
/// link's own folders, which are real folders, never through another link).
/// </summary>
public static class ArchivePaths
{
    /// <summary>
    /// The entry name as plain segments (no '.', no empty segment), or null with <paramref name="problem"/>
    /// when it is absolute, climbs with '..', or is empty.
    /// </summary>
    public static string[]? Segments(string name, out string? problem)
    {
        problem = null;
        if (name.Length == 0 || name.Contains('\0'))
        {
            problem = "has an empty or invalid name";
            return null;
        }

        if (name[0] == '/' || Path.IsPathRooted(name))
        {
            problem = "is an absolute path";
            return null;
        }

        var segments = name.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(s => s != ".").ToArray();
        if (segments.Contains(".."))
        {
            problem = "climbs out with '..'";
            return null;
        }

        if (segments.Length == 0)
        {
            problem = "names no file";
            return null;
        }

        return segments;
    }

    /// <summary>
    /// Null when a link at <paramref name="linkSegments"/> may point at <paramref name="target"/>;
    /// otherwise why not.
    /// </summary>
    public static string? LinkProblem(IReadOnlyList<string> linkSegments, string target)
    {
        if (target.Length == 0 || target.Contains('\0'))
        {
            return "has an empty target";
        }

        if (target[0] == '/' || Path.IsPathRooted(target))
        {
            return $"points at the absolute path '{target}'; links in artifacts must be relative";
        }

        var depth = linkSegments.Count - 1;
        var climbing = true;
        foreach (var segment in target.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (segment == ".")
            {
                continue;
            }

            if (segment == "..")
            {
                if (!climbing)
                {
                    return $"points at '{target}', which uses '..' after a name; links may climb only at their start";
                }

                if (--depth < 0)
                {
                    return $"points at '{target}', outside the workspace";
                }
            }
            else
            {
                climbing = false;
            }
        }

        return null;
    }
}
