namespace Farm.Cli.Artifacts;

/// <summary>
/// The destination of <c>farm artifact get -o FILE</c>: bytes go to <c>FILE.part</c>, which becomes
/// <c>FILE</c> only once the download is verified, so <c>FILE</c> is either the whole artifact or
/// untouched, and a failed or interrupted download leaves nothing behind.
/// </summary>
internal sealed class ArtifactFile : IAsyncDisposable
{
    private readonly string _path;
    private readonly FileStream _part;
    private bool _committed;

    private ArtifactFile(string path, FileStream part)
    {
        _path = path;
        _part = part;
    }

    /// <summary>The stream to write the download to.</summary>
    public Stream Stream => _part;

    /// <summary>The partial file's path: the destination with <c>.part</c> appended.</summary>
    public static string PartPath(string path) => path + ".part";

    /// <summary>Creates (or truncates) <c>FILE.part</c>.</summary>
    /// <exception cref="CliException">It cannot be created; the message says why.</exception>
    public static ArtifactFile Create(string path)
    {
        try
        {
            return new ArtifactFile(path, new FileStream(PartPath(path), FileMode.Create, FileAccess.Write, FileShare.None, 81920, useAsync: true));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"{path}: cannot write it: {e.Message}");
        }
    }

    /// <summary>Flushes the partial file and renames it to the destination, replacing any file there.</summary>
    /// <exception cref="CliException">The rename failed.</exception>
    public async Task CommitAsync(CancellationToken cancellation)
    {
        await _part.FlushAsync(cancellation);
        await _part.DisposeAsync();
        try
        {
            File.Move(PartPath(_path), _path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"{_path}: cannot replace it with the downloaded {PartPath(_path)}: {e.Message}");
        }

        _committed = true;
    }

    /// <summary>Closes the partial file and, unless committed, deletes it.</summary>
    public async ValueTask DisposeAsync()
    {
        await _part.DisposeAsync();
        if (!_committed)
        {
            try
            {
                File.Delete(PartPath(_path));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Nothing more to do: the download already failed, and its message is what matters.
            }
        }
    }
}
