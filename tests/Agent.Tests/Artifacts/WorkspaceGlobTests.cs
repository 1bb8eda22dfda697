using Farm.Agent.Artifacts;

namespace Farm.Agent.Tests.Artifacts;

public sealed class WorkspaceGlobTests : IDisposable
{
    private readonly string _workspace = Directory.CreateTempSubdirectory("farm-glob-").FullName;

    [Theory]
    [InlineData("out/*.js", "out/app.js", true)]
    [InlineData("out/*.js", "out/lib/app.js", false)]
    [InlineData("out/**/*.js", "out/app.js", true)]
    [InlineData("out/**/*.js", "out/a/b/c/app.js", true)]
    [InlineData("out/**", "out/a/b/c/app.js", true)]
    [InlineData("**/*.txt", "notes.txt", true)]
    [InlineData("**/*.txt", "deep/down/notes.txt", true)]
    [InlineData("**/*.txt", "deep/down/notes.txt.bak", false)]
    [InlineData("*", "top", true)]
    [InlineData("*", "top/inner", false)]
    [InlineData("src/?.c", "src/a.c", true)]
    [InlineData("src/?.c", "src/ab.c", false)]
    [InlineData("a*b*c", "aXXbYYc", true)]
    [InlineData("a*b*c", "aXXbYY", false)]
    [InlineData("*.log", ".hidden.log", true)]
    [InlineData("./out//app.js", "out/app.js", true)]
    [InlineData("out", "out", true)]
    [InlineData("out", "output", false)]
    public void Patterns_match_within_a_folder_or_across_folders(string pattern, string path, bool expected)
    {
        Assert.Equal(expected, WorkspaceGlob.IsMatch(pattern, path));
    }

    [Theory]
    [InlineData("../secret")]
    [InlineData("out/../../secret")]
    [InlineData("/etc/passwd")]
    public void Patterns_that_leave_the_workspace_are_refused(string pattern)
    {
        var error = Assert.Throws<ArtifactException>(() => WorkspaceGlob.Expand(_workspace, [pattern]));

        Assert.Contains($"'{pattern}'", error.Message);
    }

    [Fact]
    public void Expand_takes_everything_under_a_matched_folder_sorted_and_keeps_links_as_links()
    {
        Write("out/b.js");
        Write("out/a.js");
        Write("out/lib/deep.js");
        Write("other/skip.js");
        Write("readme.md");
        Directory.CreateDirectory(Path.Combine(_workspace, "out", "empty"));
        File.CreateSymbolicLink(Path.Combine(_workspace, "out", "to-other"), "../other");

        var entries = WorkspaceGlob.Expand(_workspace, ["out", "*.md"]);

        Assert.Equal(
            [
                new WorkspaceEntry("out", WorkspaceEntryKind.Folder),
                new WorkspaceEntry("out/a.js", WorkspaceEntryKind.File),
                new WorkspaceEntry("out/b.js", WorkspaceEntryKind.File),
                new WorkspaceEntry("out/empty", WorkspaceEntryKind.Folder),
                new WorkspaceEntry("out/lib", WorkspaceEntryKind.Folder),
                new WorkspaceEntry("out/lib/deep.js", WorkspaceEntryKind.File),
                new WorkspaceEntry("out/to-other", WorkspaceEntryKind.Link),
                new WorkspaceEntry("readme.md", WorkspaceEntryKind.File),
            ],
            entries);
    }

    [Fact]
    public void Expand_of_a_glob_lists_each_match_once_and_nothing_for_no_match()
    {
        Write("out/a.js");
        Write("out/lib/b.js");

        var both = WorkspaceGlob.Expand(_workspace, ["out/**/*.js", "out/*.js"]);
        var none = WorkspaceGlob.Expand(_workspace, ["dist/**"]);

        Assert.Equal(["out/a.js", "out/lib/b.js"], both.Select(e => e.Path));
        Assert.Empty(none);
    }

    private void Write(string relative)
    {
        var path = Path.Combine(_workspace, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, relative);
    }

    public void Dispose() => Directory.Delete(_workspace, recursive: true);
}
