using System.Formats.Tar;
using System.IO.Compression;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using Farm.Agent.Artifacts;

namespace Farm.Agent.Tests.Artifacts;

// Modes and links are what these tests are about; the agent runs on Unix.
[UnsupportedOSPlatform("windows")]
public sealed class ArtifactArchiveTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("farm-archive-").FullName;

    private string Folder(string name) => Directory.CreateDirectory(Path.Combine(_dir, name)).FullName;

    private static void Write(string root, string relative, string text, UnixFileMode mode = (UnixFileMode)0x1A4)
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        File.SetUnixFileMode(path, mode);
    }

    private static readonly string LongName = new string('n', 140) + ".txt";

    /// <summary>A tree with a nested folder, an empty folder, an executable, a relative link, and a name over tar's 100 characters.</summary>
    private static void MakeTree(string root)
    {
        Write(root, "out/lib/deep/" + LongName, "long\n");
        Write(root, "out/app.js", "console.log('hi')\n");
        Write(root, "out/lib/deep/util.js", "export {}\n");
        Write(root, "out/run.sh", "#!/bin/sh\necho run\n", (UnixFileMode)0x1ED);
        Directory.CreateDirectory(Path.Combine(root, "out", "empty"));
        File.SetUnixFileMode(Path.Combine(root, "out", "lib"), (UnixFileMode)0x1E8); // 0750
        File.CreateSymbolicLink(Path.Combine(root, "out", "current"), "lib/deep/util.js");
    }

    private static async Task<(byte[] Bytes, string Sha256)> PackAsync(string workspace, params string[] patterns)
    {
        using var buffer = new MemoryStream();
        await ArtifactArchive.PackAsync(workspace, WorkspaceGlob.Expand(workspace, patterns), buffer, CancellationToken.None);
        var bytes = buffer.ToArray();
        return (bytes, Convert.ToHexStringLower(SHA256.HashData(bytes)));
    }

    /// <summary>Every entry under the root: path, kind, permission bits, and content or link target.</summary>
    private static List<string> Describe(string root) =>
        Directory.EnumerateFileSystemEntries(root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
            .Select(path => new FileInfo(path))
            .OrderBy(info => info.FullName, StringComparer.Ordinal)
            .Select(info =>
            {
                var relative = Path.GetRelativePath(root, info.FullName);
                return info.LinkTarget is { } target ? $"{relative} -> {target}"
                    : Directory.Exists(info.FullName) ? $"{relative}/ {Octal(info.FullName)}"
                    : $"{relative} {Octal(info.FullName)} {File.ReadAllText(info.FullName)}";
            })
            .ToList();

    private static string Octal(string path) => Convert.ToString((int)File.GetUnixFileMode(path), 8);

    [Fact]
    public async Task Packing_the_same_tree_twice_gives_the_same_bytes_even_with_other_times()
    {
        var first = Folder("first");
        var second = Folder("second");
        MakeTree(first);
        MakeTree(second);
        foreach (var path in Directory.EnumerateFileSystemEntries(second, "*", SearchOption.AllDirectories))
        {
            File.SetLastWriteTimeUtc(path, new DateTime(2001, 2, 3, 4, 5, 6, DateTimeKind.Utc));
        }

        var a = await PackAsync(first, "out");
        var b = await PackAsync(first, "out");
        var c = await PackAsync(second, "out/**");

        Assert.Equal(a.Sha256, b.Sha256);
        Assert.Equal(a.Sha256, c.Sha256);
        Assert.Equal(a.Bytes, c.Bytes);
    }

    [Fact]
    public async Task Different_content_or_mode_gives_a_different_hash()
    {
        var workspace = Folder("ws");
        MakeTree(workspace);
        var before = await PackAsync(workspace, "out");

        File.SetUnixFileMode(Path.Combine(workspace, "out", "app.js"), (UnixFileMode)0x1ED);
        var modeChanged = await PackAsync(workspace, "out");
        File.AppendAllText(Path.Combine(workspace, "out", "app.js"), "//");
        var contentChanged = await PackAsync(workspace, "out");

        Assert.Equal(3, new[] { before.Sha256, modeChanged.Sha256, contentChanged.Sha256 }.Distinct().Count());
    }

    [Fact]
    public async Task Entries_are_sorted_with_fixed_time_and_owner()
    {
        var workspace = Folder("ws");
        MakeTree(workspace);
        var (bytes, _) = await PackAsync(workspace, "out");

        var entries = new List<TarEntry>();
        await using (var tar = new TarReader(new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress)))
        {
            while (await tar.GetNextEntryAsync() is { } entry)
            {
                entries.Add(entry);
            }
        }

        Assert.Equal(
            ["out/", "out/app.js", "out/current", "out/empty/", "out/lib/", "out/lib/deep/", "out/lib/deep/" + LongName, "out/lib/deep/util.js", "out/run.sh"],
            entries.Select(e => e.Name));
        Assert.All(entries, e => Assert.Equal((DateTimeOffset.UnixEpoch, 0, 0, "", ""),
            (e.ModificationTime, e.Uid, e.Gid, ((PosixTarEntry)e).UserName, ((PosixTarEntry)e).GroupName)));
        Assert.Equal((TarEntryType.SymbolicLink, "lib/deep/util.js"), (entries[2].EntryType, entries[2].LinkName));
    }

    [Fact]
    public async Task Round_trip_gives_an_equal_tree_with_modes_and_links()
    {
        var source = Folder("source");
        var target = Folder("target");
        MakeTree(source);
        var (bytes, _) = await PackAsync(source, "out");

        await ArtifactArchive.UnpackAsync(new MemoryStream(bytes), target, CancellationToken.None);

        Assert.Equal(Describe(source), Describe(target));
        Assert.Equal("export {}\n", File.ReadAllText(Path.Combine(target, "out", "current")));
        Assert.Contains("out/lib/ 750", Describe(target));
        Assert.Contains("out/run.sh 755 #!/bin/sh\necho run\n", Describe(target));
    }

    [Fact]
    public async Task A_link_pointing_outside_the_workspace_is_not_packed()
    {
        var workspace = Folder("ws");
        Directory.CreateDirectory(Path.Combine(workspace, "out"));
        File.CreateSymbolicLink(Path.Combine(workspace, "out", "passwd"), "/etc/passwd");

        var error = await Assert.ThrowsAsync<ArtifactException>(() => PackAsync(workspace, "out"));

        Assert.Equal("the symbolic link 'out/passwd' points at the absolute path '/etc/passwd'; links in artifacts must be relative", error.Message);
    }

    [Fact]
    public async Task A_folder_swapped_for_a_link_after_listing_is_not_followed_when_packing()
    {
        // A background process of the action replaces a listed folder with a link to a host folder.
        var workspace = Folder("ws");
        Write(workspace, "out/secret.txt", "workspace content\n");
        var host = Folder("host");
        Write(host, "secret.txt", "host-secret-4711\n");
        var entries = WorkspaceGlob.Expand(workspace, ["out"]);
        Directory.Delete(Path.Combine(workspace, "out"), recursive: true);
        File.CreateSymbolicLink(Path.Combine(workspace, "out"), host);
        using var buffer = new MemoryStream();

        var error = await Assert.ThrowsAsync<NoFollowException>(() => ArtifactArchive.PackAsync(workspace, entries, buffer, CancellationToken.None));

        Assert.Equal("'out' is a symbolic link", error.Message);
        Assert.Equal(-1, buffer.ToArray().AsSpan().IndexOf("host-secret-4711"u8));
    }

    [Fact]
    public async Task A_file_swapped_for_a_link_after_listing_is_not_followed_when_packing()
    {
        var workspace = Folder("ws");
        Write(workspace, "out/lib/app.js", "workspace content\n");
        var host = Folder("host");
        Write(host, "credential", "host-secret-4711\n");
        var entries = WorkspaceGlob.Expand(workspace, ["out"]);
        File.Delete(Path.Combine(workspace, "out", "lib", "app.js"));
        File.CreateSymbolicLink(Path.Combine(workspace, "out", "lib", "app.js"), Path.Combine(host, "credential"));
        using var buffer = new MemoryStream();

        var error = await Assert.ThrowsAsync<NoFollowException>(() => ArtifactArchive.PackAsync(workspace, entries, buffer, CancellationToken.None));

        Assert.Equal("'out/lib/app.js' is a symbolic link", error.Message);
        Assert.Equal(-1, buffer.ToArray().AsSpan().IndexOf("host-secret-4711"u8));
    }

    [Theory]
    [InlineData("../escaped.txt", "entry '../escaped.txt' climbs out with '..'")]
    [InlineData("ok/../../escaped.txt", "entry 'ok/../../escaped.txt' climbs out with '..'")]
    [InlineData("/tmp/escaped.txt", "entry '/tmp/escaped.txt' is an absolute path")]
    public async Task Unpacking_refuses_entries_that_leave_the_workspace(string name, string expected)
    {
        var workspace = Folder("ws");
        var archive = await HandMadeAsync(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream([1, 2, 3]) });

        var error = await Assert.ThrowsAsync<ArtifactException>(() => ArtifactArchive.UnpackAsync(archive, workspace, CancellationToken.None));

        Assert.Equal(expected, error.Message);
        Assert.False(File.Exists(Path.Combine(_dir, "escaped.txt")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(workspace));
    }

    [Theory]
    [InlineData("out/link", "../../outside", "entry 'out/link' is a symbolic link that points at '../../outside', outside the workspace")]
    [InlineData("link", "/etc", "entry 'link' is a symbolic link that points at the absolute path '/etc'; links in artifacts must be relative")]
    [InlineData("a/link", "b/../../x", "entry 'a/link' is a symbolic link that points at 'b/../../x', which uses '..' after a name; links may climb only at their start")]
    public async Task Unpacking_refuses_links_that_point_outside(string name, string target, string expected)
    {
        var workspace = Folder("ws");
        var archive = await HandMadeAsync(new PaxTarEntry(TarEntryType.SymbolicLink, name) { LinkName = target });

        var error = await Assert.ThrowsAsync<ArtifactException>(() => ArtifactArchive.UnpackAsync(archive, workspace, CancellationToken.None));

        Assert.Equal(expected, error.Message);
    }

    [Fact]
    public async Task Unpacking_refuses_to_write_through_a_link()
    {
        var workspace = Folder("ws");
        var elsewhere = Folder("elsewhere");
        File.CreateSymbolicLink(Path.Combine(workspace, "dir"), elsewhere);
        var archive = await HandMadeAsync(new PaxTarEntry(TarEntryType.RegularFile, "dir/planted.txt") { DataStream = new MemoryStream([1]) });

        var error = await Assert.ThrowsAsync<ArtifactException>(() => ArtifactArchive.UnpackAsync(archive, workspace, CancellationToken.None));

        Assert.Equal("entry 'dir/planted.txt' goes through the symbolic link 'dir'", error.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(elsewhere));
    }

    [Fact]
    public async Task Unpacking_refuses_devices_and_pipes()
    {
        var workspace = Folder("ws");
        var archive = await HandMadeAsync(new PaxTarEntry(TarEntryType.Fifo, "pipe"));

        var error = await Assert.ThrowsAsync<ArtifactException>(() => ArtifactArchive.UnpackAsync(archive, workspace, CancellationToken.None));

        Assert.Equal("entry 'pipe' is a Fifo entry; artifacts hold only files, folders and symbolic links", error.Message);
    }

    [Fact]
    public async Task A_later_archive_replaces_files_of_an_earlier_one()
    {
        var workspace = Folder("ws");
        var first = await HandMadeAsync(new PaxTarEntry(TarEntryType.RegularFile, "v.txt") { DataStream = new MemoryStream("one"u8.ToArray()) });
        var second = await HandMadeAsync(new PaxTarEntry(TarEntryType.RegularFile, "./v.txt") { DataStream = new MemoryStream("two"u8.ToArray()) });

        await ArtifactArchive.UnpackAsync(first, workspace, CancellationToken.None);
        await ArtifactArchive.UnpackAsync(second, workspace, CancellationToken.None);

        Assert.Equal("two", File.ReadAllText(Path.Combine(workspace, "v.txt")));
    }

    private static async Task<MemoryStream> HandMadeAsync(params TarEntry[] entries)
    {
        var buffer = new MemoryStream();
        await using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        await using (var tar = new TarWriter(gzip, leaveOpen: true))
        {
            foreach (var entry in entries)
            {
                await tar.WriteEntryAsync(entry);
            }
        }

        buffer.Position = 0;
        return buffer;
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
