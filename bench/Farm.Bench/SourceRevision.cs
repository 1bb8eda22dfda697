using System.Diagnostics;

namespace Farm.Bench;

/// <summary>Which Farm was measured: the commit, and whether the sources differed from it.</summary>
public static class SourceRevision
{
    public static string Describe()
    {
        var commit = Git("rev-parse", "--short", "HEAD")?.Trim();
        if (string.IsNullOrEmpty(commit))
        {
            return "unknown (not a git checkout, or no git)";
        }

        // Only what is built into the controller and agent counts, not the bench or the docs.
        var changes = Git("status", "--porcelain", "--", "src", "protos", "Directory.Build.props", "Directory.Packages.props");
        return string.IsNullOrWhiteSpace(changes) ? $"commit {commit}" : $"commit {commit} with uncommitted changes in src/ or protos/";
    }

    private static string? Git(params string[] args)
    {
        try
        {
            var start = new ProcessStartInfo("git", args)
            {
                WorkingDirectory = RepoPaths.Root,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var git = Process.Start(start);
            if (git is null)
            {
                return null;
            }

            var output = git.StandardOutput.ReadToEnd();
            git.StandardError.ReadToEnd();
            git.WaitForExit();
            return git.ExitCode == 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
