using System.Text.Json;
using Farm.Controller.Hosting;

namespace Farm.Controller.Logs;

/// <summary>
/// The sidecar of a truncated log, <c>{attempt}.log.meta</c>: the log was cut at agent offset
/// <paramref name="At"/> (the file holds the bytes before it, then <paramref name="Marker"/>), and
/// the agent's bytes are acknowledged up to <paramref name="Acknowledged"/>. Written whole through a
/// temporary file and a rename, flushed to disk, so a reader sees the old record or the new one.
/// </summary>
internal sealed record LogTruncation(long At, string Marker, long Acknowledged)
{
    public static string PathFor(string logPath) => logPath + ".meta";

    public static LogTruncation? Read(string logPath)
    {
        var path = PathFor(logPath);
        return File.Exists(path) ? JsonSerializer.Deserialize<LogTruncation>(File.ReadAllBytes(path)) : null;
    }

    public void Write(string logPath)
    {
        var path = PathFor(logPath);
        var temporary = path + ".tmp";
        using (var file = PrivateFiles.Open(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(file, this);
            file.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }
}
