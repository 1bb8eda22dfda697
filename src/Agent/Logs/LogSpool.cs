namespace Farm.Agent.Logs;

/// <summary>
/// One attempt's log on the agent's disk, written before anything is sent, so a broken connection or
/// a controller restart loses nothing: the shipper resends from the controller's acknowledged offset.
/// Output arrives from several sources (stdout, stderr); each gets a <see cref="SpoolWriter"/> that
/// passes whole lines, so lines of two sources never mix mid-line, and every byte is kept as written.
/// Thread-safe: writers append under one lock; readers open the file themselves.
/// </summary>
public sealed class LogSpool : IAsyncDisposable
{
    private readonly FileStream _file;
    private readonly SemaphoreSlim _lock = new(1, 1);
    private TaskCompletionSource _grew = NewSignal();
    private long _length;
    private volatile bool _completed;

    private readonly SecretMask _mask;

    /// <param name="mask">Secrets to replace with <c>***</c> before anything is written; none by default.</param>
    public LogSpool(string path, SecretMask? mask = null)
    {
        Path = path;
        _mask = mask ?? SecretMask.None;
        var create = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.ReadWrite };
        if (!OperatingSystem.IsWindows())
        {
            // Owner-only: the log is masked, but it is the action's output all the same.
            create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        _file = new FileStream(path, create);
    }

    public string Path { get; }

    /// <summary>Bytes written so far.</summary>
    public long Length => Interlocked.Read(ref _length);

    /// <summary>True once the attempt has ended and every writer has flushed.</summary>
    public bool Completed => _completed;

    /// <summary>The secrets this spool masks; a <see cref="SpoolWriter"/> also masks before it cuts a long line.</summary>
    internal SecretMask Mask => _mask;

    public SpoolWriter CreateWriter() => new(this);

    /// <summary>Completes when more than <paramref name="known"/> bytes are written, or the spool completes.</summary>
    public Task WaitAsync(long known, CancellationToken cancellationToken)
    {
        var grew = Volatile.Read(ref _grew);
        return Length > known || _completed ? Task.CompletedTask : grew.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Marks the log complete: nothing more will be written.</summary>
    public async Task CompleteAsync()
    {
        await _lock.WaitAsync();
        try
        {
            _completed = true;
            Signal();
        }
        finally
        {
            _lock.Release();
        }
    }

    internal async Task AppendAsync(ReadOnlyMemory<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return;
        }

        // Whole lines arrive here (SpoolWriter), so a secret is never split across two appends.
        bytes = _mask.Apply(bytes);
        await _lock.WaitAsync();
        try
        {
            await _file.WriteAsync(bytes);
            await _file.FlushAsync();
            Interlocked.Add(ref _length, bytes.Length);
            Signal();
        }
        finally
        {
            _lock.Release();
        }
    }

    private void Signal() => Interlocked.Exchange(ref _grew, NewSignal()).TrySetResult();

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async ValueTask DisposeAsync() => await _file.DisposeAsync();
}
