using System.Collections.Concurrent;
using System.Security.Cryptography;
using Farm.Controller.Hosting;
using Microsoft.Extensions.Options;

namespace Farm.Controller.Artifacts;

/// <summary>
/// Artifact archives as content-addressed files: <c>{data}/artifacts/sha256/{ab}/{sha}</c> once
/// complete and verified, <c>{sha}.part</c> while an upload is in progress. The same content is
/// stored once however many attempts produce it.
/// <para>
/// Contract: every method takes a SHA-256 as 64 lower-case hex digits and throws
/// <see cref="ArgumentException"/> for anything else. Appends follow the log rules: bytes already
/// held are skipped (a resend after a broken stream), a chunk that would leave a gap or run past the
/// declared size throws <see cref="ArtifactUploadException"/>, and data is flushed to disk before
/// the call returns. The part that reaches the declared size is hashed; on a match it is renamed to
/// its final name in one step, so a reader never sees a partial or unverified archive; on a mismatch
/// it is deleted and the append throws. Thread-safe: one writer per archive at a time (a lock per
/// sha); readers open complete archives only, which never change.
/// </para>
/// </summary>
public sealed class ArtifactStore
{
    private readonly string _root;
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _writers = new();

    public ArtifactStore(IOptions<ControllerOptions> options)
    {
        _root = Path.Combine(options.Value.FilesDir, "artifacts", "sha256");
    }

    /// <summary>True for 64 lower-case hex digits, the only form the store accepts.</summary>
    public static bool IsSha256(string? sha256) =>
        sha256 is { Length: 64 } && sha256.AsSpan().IndexOfAnyExcept("0123456789abcdef") < 0;

    /// <summary>Where the complete archive lives (whether or not it is there yet).</summary>
    public string PathOf(string sha256)
    {
        Validate(sha256);
        return Path.Combine(_root, sha256[..2], sha256);
    }

    /// <summary>Whether the archive is complete, and otherwise how many bytes of an upload are held.</summary>
    public (bool Complete, long Stored) Stored(string sha256)
    {
        var path = PathOf(sha256);
        if (File.Exists(path))
        {
            return (true, new FileInfo(path).Length);
        }

        var part = new FileInfo(path + ".part");
        return (false, part.Exists ? part.Length : 0);
    }

    /// <summary>
    /// Stores <paramref name="data"/> at <paramref name="offset"/> of the archive of
    /// <paramref name="size"/> bytes and returns what is held afterwards. An archive that is already
    /// complete accepts and ignores every chunk.
    /// </summary>
    public async Task<(bool Complete, long Stored)> AppendAsync(
        string sha256, long size, long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var path = PathOf(sha256);
        if (size <= 0)
        {
            throw new ArtifactUploadException($"Archive {sha256} must declare its size in bytes, not {size}.");
        }

        if (offset < 0 || offset + data.Length > size)
        {
            throw new ArtifactUploadException(
                $"Chunk of archive {sha256} at bytes {offset}..{offset + data.Length} lies outside its declared size of {size} bytes.");
        }

        var writer = _writers.GetOrAdd(sha256, _ => new SemaphoreSlim(1, 1));
        await writer.WaitAsync(cancellationToken);
        try
        {
            if (File.Exists(path))
            {
                return (true, new FileInfo(path).Length);
            }

            var partPath = path + ".part";
            PrivateFiles.CreateFolder(Path.GetDirectoryName(path)!);
            long stored;
            await using (var part = PrivateFiles.Open(partPath, FileMode.Append, FileAccess.Write, FileShare.Read))
            {
                stored = part.Length;
                if (offset > stored)
                {
                    throw new ArtifactUploadException(
                        $"Chunk of archive {sha256} starts at byte {offset}, but {stored} bytes are stored: resend from {stored}.");
                }

                if (stored > size)
                {
                    // Only an earlier upload that declared a larger size leaves this; its bytes cannot be trusted.
                    part.Close();
                    File.Delete(partPath);
                    throw new ArtifactUploadException(
                        $"Archive {sha256} was being uploaded with a larger size than {size} bytes; upload it again from byte 0.");
                }

                var skip = (int)Math.Min(stored - offset, data.Length);
                if (skip < data.Length)
                {
                    await part.WriteAsync(data[skip..], cancellationToken);
                    part.Flush(flushToDisk: true);
                }

                stored = part.Length;
            }

            if (stored < size)
            {
                return (false, stored);
            }

            await VerifyAndKeepAsync(sha256, partPath, path, cancellationToken);
            return (true, size);
        }
        finally
        {
            writer.Release();
        }
    }

    /// <summary>Opens a complete archive for reading; null when the store does not hold it.</summary>
    public FileStream? OpenRead(string sha256)
    {
        var path = PathOf(sha256);
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 64 * 1024, useAsync: true);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    private static async Task VerifyAndKeepAsync(string sha256, string partPath, string path, CancellationToken cancellationToken)
    {
        byte[] hash;
        await using (var part = new FileStream(partPath, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, useAsync: true))
        {
            hash = await SHA256.HashDataAsync(part, cancellationToken);
        }

        var actual = Convert.ToHexStringLower(hash);
        if (actual != sha256)
        {
            File.Delete(partPath);
            throw new ArtifactUploadException(
                $"The archive uploaded as {sha256} does not match its sha256 (its content hashes to {actual}); upload it again.");
        }

        File.Move(partPath, path);
    }

    private static void Validate(string sha256)
    {
        if (!IsSha256(sha256))
        {
            throw new ArgumentException($"'{sha256}' is not a sha256: it must be 64 lower-case hex digits.", nameof(sha256));
        }
    }
}
