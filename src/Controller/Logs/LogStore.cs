using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Farm.Controller.Hosting;
using Microsoft.Extensions.Options;

namespace Farm.Controller.Logs;

/// <summary>
/// Attempt logs as files: <c>{data}/logs/{execution}/{attempt}.log</c>, the bytes exactly as the
/// action wrote them. Appends are ordered by byte offset and flushed to disk before they are
/// acknowledged, so an acknowledged byte survives a crash. One writer per attempt at a time (a
/// lock per attempt); readers may read while it writes. Readers that follow a log wait on
/// <see cref="WaitForAppendAsync"/>, which wakes on an append in this process.
/// </summary>
/// <remarks>
/// A log is capped at <see cref="ControllerOptions.MaxLogBytes"/>. The append that would pass the
/// cap stores bytes up to it, then <see cref="TruncationMarker"/> once; later bytes are
/// acknowledged but not stored, so the agent moves on instead of resending forever. From then on
/// the agent's offsets (its spool) and the stored file differ, so the store keeps them apart in a
/// sidecar, <c>{attempt}.log.meta</c> (<see cref="LogTruncation"/>): the agent offset the log was
/// cut at and the highest offset acknowledged. Offsets below the cut are the file's own; the
/// sidecar is written, flushed, before the marker, so a crash between the two is repaired on the
/// next append, and a reconnect, to this controller or a restarted one, resumes at the
/// acknowledged offset without storing anything twice.
/// </remarks>
public sealed class LogStore
{
    private readonly string _root;
    private readonly long _maxBytes;
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _writers = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _appended = new();

    public LogStore(IOptions<ControllerOptions> options)
    {
        _root = Path.Combine(options.Value.FilesDir, "logs");
        _maxBytes = options.Value.MaxLogBytes;
    }

    public string PathOf(string attemptId)
    {
        var execution = Farm.Core.Executions.AttemptIds.ExecutionOf(attemptId)
            ?? throw new ArgumentException($"'{attemptId}' is not an attempt id.", nameof(attemptId));
        return Path.Combine(_root, execution, attemptId + ".log");
    }

    /// <summary>
    /// The line stored once where a log reaches the cap:
    /// <c>\n[farm] log truncated: it reached the 64 MiB limit (MaxLogBytes); the rest of the output was not stored.\n</c>
    /// </summary>
    public static string TruncationMarker(long maxBytes) =>
        $"\n[farm] log truncated: it reached the {FormatSize(maxBytes)} limit (MaxLogBytes); the rest of the output was not stored.\n";

    /// <summary>Bytes stored for the attempt (what readers see, a truncation marker included); 0 when none.</summary>
    public long Length(string attemptId)
    {
        var file = new FileInfo(PathOf(attemptId));
        return file.Exists ? file.Length : 0;
    }

    /// <summary>
    /// The agent's offset up to which its log is acknowledged: where it resumes after a reconnect.
    /// <see cref="Length"/> until the log is truncated; from then on, the highest offset acknowledged.
    /// </summary>
    public long Acknowledged(string attemptId)
    {
        var path = PathOf(attemptId);
        return LogTruncation.Read(path) is { } truncation ? truncation.Acknowledged : Length(attemptId);
    }

    /// <summary>
    /// Stores <paramref name="data"/>, which starts at the agent's <paramref name="offset"/>, and
    /// returns the agent offset acknowledged (see <see cref="Acknowledged"/>). Bytes already stored
    /// are skipped (a resend after a reconnect); a chunk that would leave a gap throws
    /// <see cref="LogGapException"/>; bytes past the cap are acknowledged and dropped.
    /// </summary>
    public async Task<long> AppendAsync(string attemptId, long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var path = PathOf(attemptId);
        var writer = _writers.GetOrAdd(attemptId, _ => new SemaphoreSlim(1, 1));
        await writer.WaitAsync(cancellationToken);
        try
        {
            PrivateFiles.CreateFolder(Path.GetDirectoryName(path)!);
            long acknowledged;
            if (LogTruncation.Read(path) is { } truncation)
            {
                acknowledged = await AcknowledgeTruncatedAsync(attemptId, path, truncation, offset, data.Length, cancellationToken);
            }
            else
            {
                await using var file = PrivateFiles.Open(path, FileMode.Append, FileAccess.Write, FileShare.Read);
                acknowledged = await StoreAsync(attemptId, path, file, offset, data, cancellationToken);
            }

            Signal(attemptId);
            return acknowledged;
        }
        finally
        {
            writer.Release();
        }
    }

    private async Task<long> StoreAsync(
        string attemptId, string path, FileStream file, long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        // Not truncated: the agent's offsets are the file's.
        var stored = file.Length;
        if (offset > stored)
        {
            throw new LogGapException(attemptId, stored, offset);
        }

        var fresh = data[(int)Math.Min(stored - offset, data.Length)..];
        if (fresh.IsEmpty)
        {
            return stored;
        }

        if (stored + fresh.Length <= _maxBytes)
        {
            await file.WriteAsync(fresh, cancellationToken);
            file.Flush(flushToDisk: true);
            return file.Length;
        }

        // The cut: bytes up to the cap, the sidecar, then the marker; each flushed before the next.
        var keep = (int)Math.Max(0, _maxBytes - stored);
        await file.WriteAsync(fresh[..keep], cancellationToken);
        file.Flush(flushToDisk: true);
        var truncation = new LogTruncation(stored + keep, TruncationMarker(_maxBytes), stored + fresh.Length);
        truncation.Write(path);
        await WriteMarkerAsync(file, truncation, cancellationToken);
        return truncation.Acknowledged;
    }

    private static async Task<long> AcknowledgeTruncatedAsync(
        string attemptId, string path, LogTruncation truncation, long offset, int count, CancellationToken cancellationToken)
    {
        // A crash between the sidecar and the marker left the marker missing or partial.
        var expected = truncation.At + Encoding.UTF8.GetByteCount(truncation.Marker);
        if (new FileInfo(path).Length != expected)
        {
            await using var file = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.Read);
            file.SetLength(truncation.At);
            file.Position = truncation.At;
            await WriteMarkerAsync(file, truncation, cancellationToken);
        }

        if (offset > truncation.Acknowledged)
        {
            throw new LogGapException(attemptId, truncation.Acknowledged, offset);
        }

        if (offset + count > truncation.Acknowledged)
        {
            // Only a hint where to resume: losing it to a crash costs a resend, which is dropped again.
            truncation = truncation with { Acknowledged = offset + count };
            truncation.Write(path);
        }

        return truncation.Acknowledged;
    }

    private static async Task WriteMarkerAsync(FileStream file, LogTruncation truncation, CancellationToken cancellationToken)
    {
        await file.WriteAsync(Encoding.UTF8.GetBytes(truncation.Marker), cancellationToken);
        file.Flush(flushToDisk: true);
    }

    /// <summary>Reads up to <paramref name="max"/> bytes from <paramref name="offset"/>; empty at the end.</summary>
    public async Task<byte[]> ReadAsync(string attemptId, long offset, int max, CancellationToken cancellationToken)
    {
        var path = PathOf(attemptId);
        if (!File.Exists(path))
        {
            return [];
        }

        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        if (offset >= file.Length)
        {
            return [];
        }

        file.Position = offset;
        var buffer = new byte[(int)Math.Min(max, file.Length - offset)];
        await file.ReadExactlyAsync(buffer, cancellationToken);
        return buffer;
    }

    /// <summary>Completes on the next append to the attempt's log in this process, or after <paramref name="timeout"/>.</summary>
    public async Task WaitForAppendAsync(string attemptId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var signal = _appended.GetOrAdd(attemptId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        try
        {
            await signal.Task.WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            // A quiet log, or an append on another silo: the caller reads again either way.
        }
    }

    private void Signal(string attemptId)
    {
        if (_appended.TryRemove(attemptId, out var signal))
        {
            signal.TrySetResult();
        }
    }

    /// <summary>"64 MiB", "10 GiB", "1.5 MiB": the cap as an operator set it.</summary>
    private static string FormatSize(long bytes) =>
        bytes % (1L << 30) == 0 ? $"{bytes >> 30} GiB"
        : bytes % (1L << 20) == 0 ? $"{bytes >> 20} MiB"
        : string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):0.##} MiB");
}
