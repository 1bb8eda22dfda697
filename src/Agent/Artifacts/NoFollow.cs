using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Farm.Agent.Artifacts;

/// <summary>
/// Opens what an action left in a folder the agent made (its workspace, its output folder) without
/// following a symbolic link in any component below that folder. An action controls everything
/// below it, and the agent process reads the host: a link to the agent's credential file, or a
/// folder swapped for a link while the agent walks it, would otherwise make the agent read a host
/// file into an artifact or an output variable. The folder itself (<c>root</c>) is trusted: the
/// agent made it under its own work directory.
/// <para>
/// On Linux every component is opened with <c>openat(…, O_NOFOLLOW)</c> relative to the folder
/// opened before it, and the last one is checked with <c>statx</c> on the open descriptor, so a
/// link put in place between a check and the open is refused too. .NET has no portable
/// O_NOFOLLOW; elsewhere (macOS development builds) each component is checked with lstat before
/// an ordinary open, which refuses a link that is already there but not one swapped in between.
/// </para>
/// Throws <see cref="NoFollowException"/> for a link, a non-regular file or a component that is not
/// a folder, <see cref="FileNotFoundException"/> when the entry is missing.
/// </summary>
internal static partial class NoFollow
{
    /// <summary>A regular file opened for reading, with its permission bits and its size when opened.</summary>
    public sealed record OpenedFile(FileStream Stream, UnixFileMode Mode, long Length);

    /// <summary>Opens <paramref name="relativePath"/> ('/'-separated) below <paramref name="root"/> for reading; it must be a regular file.</summary>
    public static OpenedFile OpenFile(string root, string relativePath)
    {
        var segments = Split(relativePath);
        if (!OperatingSystem.IsLinux())
        {
            var path = CheckWithoutDescriptors(root, segments, relativePath, expectFolder: false);
            var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, useAsync: false);
            return new OpenedFile(stream, OperatingSystem.IsWindows() ? (UnixFileMode)0x1A4 : File.GetUnixFileMode(path), stream.Length);
        }

        var parent = OpenParent(root, segments, relativePath);
        int fd;
        try
        {
            // O_NONBLOCK: opening a FIFO the action left must not hang the agent; it is refused below.
            fd = OpenAt(parent, segments[^1], Flags.ReadOnly | Flags.NoFollow | Flags.NonBlock | Flags.NoCtty | Flags.CloseOnExec);
            if (fd < 0)
            {
                throw Refusal(Marshal.GetLastPInvokeError(), parent, segments[^1], relativePath, relativePath);
            }
        }
        finally
        {
            _ = Close(parent);
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            var facts = Stat(fd, relativePath);
            if ((facts.Mode & TypeMask) != RegularFile)
            {
                throw new NoFollowException(relativePath, NoFollowProblem.WrongKind, $"'{relativePath}' is not a regular file");
            }

            return new OpenedFile(new FileStream(handle, FileAccess.Read, bufferSize: 0), (UnixFileMode)(facts.Mode & 0x1FF), (long)facts.Size);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>The permission bits of the folder <paramref name="relativePath"/> below <paramref name="root"/>.</summary>
    public static UnixFileMode FolderMode(string root, string relativePath)
    {
        var segments = Split(relativePath);
        if (!OperatingSystem.IsLinux())
        {
            var path = CheckWithoutDescriptors(root, segments, relativePath, expectFolder: true);
            return OperatingSystem.IsWindows() ? (UnixFileMode)0x1ED : File.GetUnixFileMode(path);
        }

        var fd = OpenFolders(root, segments, segments.Length, relativePath);
        try
        {
            return (UnixFileMode)(Stat(fd, relativePath).Mode & 0x1FF);
        }
        finally
        {
            _ = Close(fd);
        }
    }

    /// <summary>The target of the symbolic link <paramref name="relativePath"/> below <paramref name="root"/>, read without following it.</summary>
    public static string LinkTarget(string root, string relativePath)
    {
        var segments = Split(relativePath);
        if (!OperatingSystem.IsLinux())
        {
            var path = CheckWithoutDescriptors(root, segments[..^1], relativePath, expectFolder: true);
            return new FileInfo(Path.Combine(path, segments[^1])).LinkTarget
                ?? throw new NoFollowException(relativePath, NoFollowProblem.WrongKind, $"'{relativePath}' is no longer a symbolic link");
        }

        var parent = OpenParent(root, segments, relativePath);
        try
        {
            var buffer = new byte[4096];
            var length = ReadLinkAt(parent, segments[^1], buffer, (nuint)buffer.Length);
            if (length < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                throw errno == Errno.InvalidArgument
                    ? new NoFollowException(relativePath, NoFollowProblem.WrongKind, $"'{relativePath}' is no longer a symbolic link")
                    : Refusal(errno, parent, segments[^1], relativePath, relativePath);
            }

            return Encoding.UTF8.GetString(buffer, 0, (int)length);
        }
        finally
        {
            _ = Close(parent);
        }
    }

    private static string[] Split(string relativePath)
    {
        var segments = ArchivePaths.Segments(relativePath, out var problem)
            ?? throw new NoFollowException(relativePath, NoFollowProblem.InvalidPath, $"'{relativePath}' {problem}");
        return segments;
    }

    /// <summary>The folder holding the last segment, opened through folders that are not links.</summary>
    private static int OpenParent(string root, string[] segments, string relativePath) =>
        OpenFolders(root, segments, segments.Length - 1, relativePath);

    /// <summary>Opens <paramref name="root"/>, then the first <paramref name="count"/> segments below it, each relative to the one before.</summary>
    private static int OpenFolders(string root, string[] segments, int count, string relativePath)
    {
        var fd = OpenAt(AtCurrentFolder, root, Flags.ReadOnly | Flags.Directory | Flags.CloseOnExec);
        if (fd < 0)
        {
            throw new IOException($"cannot open the folder '{root}': {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }

        for (var i = 0; i < count; i++)
        {
            var next = OpenAt(fd, segments[i], Flags.ReadOnly | Flags.Directory | Flags.NoFollow | Flags.CloseOnExec);
            if (next < 0)
            {
                var refusal = Refusal(Marshal.GetLastPInvokeError(), fd, segments[i], string.Join('/', segments[..(i + 1)]), relativePath);
                _ = Close(fd);
                throw refusal;
            }

            _ = Close(fd);
            fd = next;
        }

        return fd;
    }

    /// <summary>
    /// The exception for a failed openat of <paramref name="name"/> in <paramref name="parent"/>.
    /// O_NOFOLLOW on a link gives ELOOP, but with O_DIRECTORY it gives ENOTDIR, as a file does; the
    /// entry itself, looked at without following it, tells which.
    /// </summary>
    private static Exception Refusal(int errno, int parent, string name, string component, string relativePath)
    {
        if (errno is Errno.TooManyLinks or Errno.NotAFolder)
        {
            var isLink = Statx(parent, name, AtSymlinkNoFollow, StatxType, out var facts) == 0 && (facts.Mode & TypeMask) == SymbolicLink;
            errno = isLink ? Errno.TooManyLinks : Errno.NotAFolder;
        }

        return Refusal(errno, component, relativePath);
    }

    private static Exception Refusal(int errno, string component, string relativePath) => errno switch
    {
        Errno.TooManyLinks when component == relativePath => new NoFollowException(relativePath, NoFollowProblem.Link, $"'{relativePath}' is a symbolic link"),
        Errno.TooManyLinks => new NoFollowException(relativePath, NoFollowProblem.Link, $"'{relativePath}' goes through the symbolic link '{component}'"),
        Errno.NotAFolder when component == relativePath => new NoFollowException(relativePath, NoFollowProblem.WrongKind, $"'{relativePath}' is not a folder"),
        Errno.NotAFolder => new NoFollowException(relativePath, NoFollowProblem.WrongKind, $"'{relativePath}' goes through '{component}', which is not a folder"),
        Errno.NoEntry => new FileNotFoundException($"'{relativePath}' does not exist", relativePath),
        _ => new IOException($"cannot open '{relativePath}': {Marshal.GetPInvokeErrorMessage(errno)}"),
    };

    private static StatxBuffer Stat(int fd, string relativePath)
    {
        if (Statx(fd, "", AtEmptyPath, StatxType | StatxMode | StatxSize, out var facts) < 0)
        {
            throw new IOException($"cannot inspect '{relativePath}': {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }

        return facts;
    }

    /// <summary>The full path, after checking with lstat that no component below <paramref name="root"/> is a link.</summary>
    private static string CheckWithoutDescriptors(string root, string[] segments, string relativePath, bool expectFolder)
    {
        var path = root;
        for (var i = 0; i < segments.Length; i++)
        {
            path = Path.Combine(path, segments[i]);
            var component = string.Join('/', segments[..(i + 1)]);
            var info = new FileInfo(path);
            if (info.LinkTarget is not null)
            {
                throw Refusal(Errno.TooManyLinks, component, relativePath);
            }

            var last = i == segments.Length - 1;
            if (!last || expectFolder)
            {
                if (!Directory.Exists(path))
                {
                    throw info.Exists ? Refusal(Errno.NotAFolder, component, relativePath) : Refusal(Errno.NoEntry, component, relativePath);
                }
            }
            else if (!info.Exists)
            {
                throw Directory.Exists(path)
                    ? new NoFollowException(relativePath, NoFollowProblem.WrongKind, $"'{relativePath}' is not a regular file")
                    : Refusal(Errno.NoEntry, component, relativePath);
            }
        }

        return path;
    }

    private const int AtCurrentFolder = -100;
    private const int AtEmptyPath = 0x1000, AtSymlinkNoFollow = 0x100;
    private const uint StatxType = 0x1, StatxMode = 0x2, StatxSize = 0x200;
    private const ushort TypeMask = 0xF000, RegularFile = 0x8000, SymbolicLink = 0xA000;

    /// <summary>The errno values used here; the same on every Linux architecture.</summary>
    private static class Errno
    {
        public const int NoEntry = 2, NotAFolder = 20, InvalidArgument = 22, TooManyLinks = 40;
    }

    /// <summary>open(2) flags. O_DIRECTORY and O_NOFOLLOW have other values on ARM and POWER than elsewhere.</summary>
    private static class Flags
    {
        private static readonly bool ArmValues = RuntimeInformation.ProcessArchitecture
            is Architecture.Arm or Architecture.Arm64 or Architecture.Armv6 or Architecture.Ppc64le;

        public const int ReadOnly = 0, NoCtty = 0x100, NonBlock = 0x800, CloseOnExec = 0x80000;
        public static readonly int Directory = ArmValues ? 0x4000 : 0x10000;
        public static readonly int NoFollow = ArmValues ? 0x8000 : 0x20000;
    }

    /// <summary>The start of struct statx, whose layout is the same on every architecture; 256 bytes in all.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    private struct StatxBuffer
    {
        [FieldOffset(28)] public ushort Mode;
        [FieldOffset(40)] public ulong Size;
    }

    [LibraryImport("libc", EntryPoint = "openat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenAt(int folder, string path, int flags);

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int folder, string path, int flags, uint mask, out StatxBuffer buffer);

    [LibraryImport("libc", EntryPoint = "readlinkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint ReadLinkAt(int folder, string path, [Out] byte[] buffer, nuint size);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
