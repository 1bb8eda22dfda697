namespace Farm.Controller.Hosting;

/// <summary>
/// How the controller creates what it keeps in its data folder (and the shared folder of a
/// cluster): the database, log bodies, artifacts, the secrets key and the admin token. Folders are
/// made 0700 and files 0600 as they are created, not changed afterwards, so there is no moment in
/// which another user of the machine could open them. On Windows the folder's ACL applies instead.
/// </summary>
public static class PrivateFiles
{
    /// <summary>rwx for the owner only.</summary>
    public const UnixFileMode OwnerOnlyFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>rw for the owner only.</summary>
    public const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>The bits that let someone other than the owner in.</summary>
    public const UnixFileMode OthersMask = (UnixFileMode)0x3F; // 0077

    /// <summary>Creates <paramref name="path"/> and any missing parents as 0700; an existing folder keeps its mode.</summary>
    public static void CreateFolder(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }

        // Directory.CreateDirectory(path, mode) gives the mode to the last folder only; its parents
        // would get the umask's 0755.
        var missing = new Stack<string>();
        for (var folder = Path.GetFullPath(path); !Directory.Exists(folder); folder = Path.GetDirectoryName(folder)!)
        {
            missing.Push(folder);
        }

        while (missing.TryPop(out var folder))
        {
            Directory.CreateDirectory(folder, OwnerOnlyFolder);
        }
    }

    /// <summary>Opens <paramref name="path"/> as <see cref="FileStream"/> would; a file it creates is 0600 from the start.</summary>
    public static FileStream Open(
        string path, FileMode mode, FileAccess access, FileShare share = FileShare.Read, int bufferSize = 4096, bool useAsync = false)
    {
        var options = new FileStreamOptions
        {
            Mode = mode, Access = access, Share = share, BufferSize = bufferSize,
            Options = useAsync ? FileOptions.Asynchronous : FileOptions.None,
        };
        // .NET refuses a create mode for FileMode.Open and Truncate, which never create a file.
        if (!OperatingSystem.IsWindows() && mode is not (FileMode.Open or FileMode.Truncate))
        {
            options.UnixCreateMode = OwnerOnlyFile;
        }

        return new FileStream(path, options);
    }

    /// <summary>
    /// <paramref name="root"/> and the entries directly in it that others can read or enter. Only the
    /// first level is looked at: with the root at 0700 nothing below it can be reached by others, and
    /// a data folder can hold many thousands of files.
    /// </summary>
    public static IReadOnlyList<(string Path, UnixFileMode Mode)> Exposed(string root)
    {
        if (OperatingSystem.IsWindows() || !Directory.Exists(root))
        {
            return [];
        }

        var exposed = new List<(string, UnixFileMode)>();
        foreach (var path in Directory.EnumerateFileSystemEntries(root).Prepend(root))
        {
            var info = new FileInfo(path);
            // A link's own mode means nothing; what it points at is checked where it lives.
            if (info.LinkTarget is null && (File.GetUnixFileMode(path) & OthersMask) != 0)
            {
                exposed.Add((path, File.GetUnixFileMode(path)));
            }
        }

        return exposed;
    }
}
