using System.Runtime.Versioning;
using Farm.Agent.Artifacts;

namespace Farm.Agent.Tests.Artifacts;

[UnsupportedOSPlatform("windows")]
public sealed class NoFollowTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("farm-nofollow-").FullName;

    private string Root => Directory.CreateDirectory(Path.Combine(_dir, "root")).FullName;

    private string Outside => Directory.CreateDirectory(Path.Combine(_dir, "outside")).FullName;

    [Fact]
    public async Task A_regular_file_below_folders_is_read_with_its_mode_and_length()
    {
        Directory.CreateDirectory(Path.Combine(Root, "a", "b"));
        var path = Path.Combine(Root, "a", "b", "file.txt");
        await File.WriteAllTextAsync(path, "content\n");
        File.SetUnixFileMode(path, (UnixFileMode)0x1E4); // 0744

        var file = NoFollow.OpenFile(Root, "a/b/file.txt");
        using var reader = new StreamReader(file.Stream);

        Assert.Equal(((UnixFileMode)0x1E4, 8L), (file.Mode, file.Length));
        Assert.Equal("content\n", await reader.ReadToEndAsync());
    }

    [Fact]
    public void A_folder_on_the_way_that_is_a_link_is_refused()
    {
        File.WriteAllText(Path.Combine(Outside, "credential"), "secret\n");
        Directory.CreateDirectory(Path.Combine(Root, "a"));
        File.CreateSymbolicLink(Path.Combine(Root, "a", "b"), Outside);

        var error = Assert.Throws<NoFollowException>(() => NoFollow.OpenFile(Root, "a/b/credential"));

        Assert.Equal((NoFollowProblem.Link, "'a/b/credential' goes through the symbolic link 'a/b'"), (error.Kind, error.Message));
    }

    [Fact]
    public void A_folder_that_is_a_link_has_no_mode_but_its_link_target_is_read()
    {
        File.CreateSymbolicLink(Path.Combine(Root, "linked"), Outside);

        var error = Assert.Throws<NoFollowException>(() => NoFollow.FolderMode(Root, "linked"));

        Assert.Equal("'linked' is a symbolic link", error.Message);
        Assert.Equal(Outside, NoFollow.LinkTarget(Root, "linked"));
    }

    [Fact]
    public void A_file_where_a_folder_is_expected_and_a_missing_file_are_told_apart()
    {
        File.WriteAllText(Path.Combine(Root, "plain"), "");
        Directory.CreateDirectory(Path.Combine(Root, "folder"));

        Assert.Equal("'plain/x' goes through 'plain', which is not a folder",
            Assert.Throws<NoFollowException>(() => NoFollow.OpenFile(Root, "plain/x")).Message);
        Assert.Equal("'plain' is not a folder", Assert.Throws<NoFollowException>(() => NoFollow.FolderMode(Root, "plain")).Message);
        Assert.Throws<FileNotFoundException>(() => NoFollow.OpenFile(Root, "missing"));
        Assert.Equal("'folder' is not a regular file",
            Assert.Throws<NoFollowException>(() => NoFollow.OpenFile(Root, "folder")).Message);
    }

    [Fact]
    public void A_path_that_climbs_out_is_refused_before_anything_is_opened()
    {
        var error = Assert.Throws<NoFollowException>(() => NoFollow.OpenFile(Root, "../outside/credential"));

        Assert.Equal((NoFollowProblem.InvalidPath, "'../outside/credential' climbs out with '..'"), (error.Kind, error.Message));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
