using System.Formats.Tar;
using System.IO.Compression;

namespace Farm.Agent.Artifacts;

/// <summary>
/// Artifact archives: gzip-compressed tar in GNU format. Packing is deterministic, so the same
/// content always gives the same bytes and the same SHA-256: entries sorted by path, modification
/// times fixed at the Unix epoch, owner and group 0 without names, only permission bits kept
/// (set-id and sticky bits dropped), links stored as links; every entry is opened without following
/// a link on its way (<see cref="NoFollow"/>), so a link never brings a host file in. Unpacking
/// refuses anything that would land outside the workspace: absolute or '..' names, links that point
/// outside, entries that go through a link, and kinds other than files, folders and links.
/// </summary>
public static class ArtifactArchive
{
    private const UnixFileMode Permissions = (UnixFileMode)0x1FF; // rwxrwxrwx

    /// <summary>Writes <paramref name="entries"/> of <paramref name="workspace"/> to <paramref name="destination"/>, in the order given.</summary>
    public static async Task PackAsync(
        string workspace, IReadOnlyList<WorkspaceEntry> entries, Stream destination, CancellationToken cancellationToken)
    {
        await using var gzip = new GZipStream(destination, CompressionLevel.Optimal, leaveOpen: true);
        await using var tar = new TarWriter(gzip, TarEntryFormat.Gnu, leaveOpen: true);
        foreach (var entry in entries)
        {
            // Each entry is opened again without following links: an action still running (a shell
            // action's background process) may have swapped a folder for a link since the workspace
            // was listed, and the agent must not pack the host file the link would lead to.
            GnuTarEntry tarEntry;
            switch (entry.Kind)
            {
                case WorkspaceEntryKind.Folder:
                    tarEntry = new GnuTarEntry(TarEntryType.Directory, entry.Path + "/") { Mode = NoFollow.FolderMode(workspace, entry.Path) & Permissions };
                    break;

                case WorkspaceEntryKind.Link:
                    var target = NoFollow.LinkTarget(workspace, entry.Path);
                    if (ArchivePaths.LinkProblem(entry.Path.Split('/'), target) is { } problem)
                    {
                        throw new ArtifactException($"the symbolic link '{entry.Path}' {problem}");
                    }

                    tarEntry = new GnuTarEntry(TarEntryType.SymbolicLink, entry.Path) { LinkName = target, Mode = Permissions };
                    break;

                default:
                    var file = NoFollow.OpenFile(workspace, entry.Path);
                    tarEntry = new GnuTarEntry(TarEntryType.RegularFile, entry.Path) { Mode = file.Mode & Permissions, DataStream = file.Stream };
                    break;
            }

            tarEntry.ModificationTime = DateTimeOffset.UnixEpoch;
            tarEntry.AccessTime = DateTimeOffset.UnixEpoch;
            tarEntry.ChangeTime = DateTimeOffset.UnixEpoch;
            tarEntry.Uid = 0;
            tarEntry.Gid = 0;
            tarEntry.UserName = "";
            tarEntry.GroupName = "";
            try
            {
                await tar.WriteEntryAsync(tarEntry, cancellationToken);
            }
            finally
            {
                if (tarEntry.DataStream is { } data)
                {
                    await data.DisposeAsync();
                }
            }
        }
    }

    /// <summary>
    /// Unpacks <paramref name="archive"/> into <paramref name="workspace"/>. Files and links already
    /// there are replaced; a folder is never replaced by a file or link. Folder modes are applied last,
    /// so a read-only folder still receives its files. Throws <see cref="ArtifactException"/> for an
    /// entry it refuses, <see cref="InvalidDataException"/> for an archive that is not gzip and tar.
    /// </summary>
    public static async Task UnpackAsync(Stream archive, string workspace, CancellationToken cancellationToken)
    {
        var root = Path.GetFullPath(workspace);
        var folders = new List<(string Path, UnixFileMode Mode)>();
        await using var gzip = new GZipStream(archive, CompressionMode.Decompress, leaveOpen: true);
        await using var tar = new TarReader(gzip);
        while (await tar.GetNextEntryAsync(copyData: false, cancellationToken) is { } entry)
        {
            if (entry.EntryType is TarEntryType.GlobalExtendedAttributes)
            {
                continue;
            }

            var segments = ArchivePaths.Segments(entry.Name, out var problem)
                ?? throw new ArtifactException($"entry '{entry.Name}' {problem}");
            var path = Path.Combine([root, .. segments]);
            EnsureParents(root, segments, entry.Name);
            var mode = entry.Mode & Permissions;
            switch (entry.EntryType)
            {
                case TarEntryType.Directory:
                    if (IsLink(path) || File.Exists(path))
                    {
                        File.Delete(path);
                    }

                    Directory.CreateDirectory(path);
                    folders.Add((path, mode));
                    break;

                case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                    RemoveExisting(path, entry.Name);
                    await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true))
                    {
                        if (entry.DataStream is { } data)
                        {
                            await data.CopyToAsync(file, cancellationToken);
                        }
                    }

                    SetMode(path, mode);
                    break;

                case TarEntryType.SymbolicLink:
                    if (ArchivePaths.LinkProblem(segments, entry.LinkName) is { } linkProblem)
                    {
                        throw new ArtifactException($"entry '{entry.Name}' is a symbolic link that {linkProblem}");
                    }

                    RemoveExisting(path, entry.Name);
                    File.CreateSymbolicLink(path, entry.LinkName);
                    break;

                default:
                    throw new ArtifactException(
                        $"entry '{entry.Name}' is a {entry.EntryType} entry; artifacts hold only files, folders and symbolic links");
            }
        }

        // Deepest first, so a folder made read-only does not stop the modes below it being set.
        foreach (var (path, mode) in folders.OrderByDescending(f => f.Path.Length))
        {
            SetMode(path, mode);
        }
    }

    /// <summary>Creates the entry's missing folders, refusing to go through a link or a file.</summary>
    private static void EnsureParents(string root, string[] segments, string name)
    {
        var path = root;
        for (var i = 0; i < segments.Length - 1; i++)
        {
            path = Path.Combine(path, segments[i]);
            if (IsLink(path))
            {
                throw new ArtifactException(
                    $"entry '{name}' goes through the symbolic link '{string.Join('/', segments[..(i + 1)])}'");
            }

            if (File.Exists(path))
            {
                throw new ArtifactException(
                    $"entry '{name}' needs a folder where the file '{string.Join('/', segments[..(i + 1)])}' is");
            }

            Directory.CreateDirectory(path);
        }
    }

    private static void RemoveExisting(string path, string name)
    {
        if (IsLink(path))
        {
            File.Delete(path);
        }
        else if (Directory.Exists(path))
        {
            throw new ArtifactException($"entry '{name}' would replace a folder of the same name");
        }
        else if (File.Exists(path))
        {
            File.Delete(path);
        }
    }

    // The agent runs on Unix; this keeps it building elsewhere.
    private static void SetMode(string path, UnixFileMode mode)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, mode);
        }
    }

    private static bool IsLink(string path) => new FileInfo(path).LinkTarget is not null;
}
