using System.Collections.Concurrent;
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
public sealed class LogStore
{
    private readonly string _root;
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _writers = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _appended = new();

    public LogStore(IOptions<ControllerOptions> options)
    {
        _root = Path.Combine(Path.GetFullPath(options.Value.DataDir), "logs");
    }

    public string PathOf(string attemptId)
    {
        var execution = Farm.Core.Executions.AttemptIds.ExecutionOf(attemptId)
            ?? throw new ArgumentException($"'{attemptId}' is not an attempt id.", nameof(attemptId));
        return Path.Combine(_root, execution, attemptId + ".log");
    }

    /// <summary>Bytes stored for the attempt; 0 when none.</summary>
    public long Length(string attemptId)
    {
        var file = new FileInfo(PathOf(attemptId));
        return file.Exists ? file.Length : 0;
    }

    /// <summary>
    /// Stores <paramref name="data"/> at <paramref name="offset"/> and returns the stored length.
    /// Bytes already stored are skipped (a resend after a reconnect); a chunk that would leave a gap
    /// throws <see cref="LogGapException"/>.
    /// </summary>
    public async Task<long> AppendAsync(string attemptId, long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var path = PathOf(attemptId);
        var writer = _writers.GetOrAdd(attemptId, _ => new SemaphoreSlim(1, 1));
        await writer.WaitAsync(cancellationToken);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await using var file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
            var stored = file.Length;
            if (offset > stored)
            {
                throw new LogGapException(attemptId, stored, offset);
            }

            var skip = (int)Math.Min(stored - offset, data.Length);
            if (skip < data.Length)
            {
                await file.WriteAsync(data[skip..], cancellationToken);
                file.Flush(flushToDisk: true);
            }

            Signal(attemptId);
            return file.Length;
        }
        finally
        {
            writer.Release();
        }
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
}
