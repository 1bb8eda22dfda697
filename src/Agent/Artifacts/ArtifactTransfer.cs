using System.Collections.Concurrent;
using System.Security.Cryptography;
using Farm.Agent.Hosting;
using Farm.Api.V1;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace Farm.Agent.Artifacts;

/// <summary>
/// Moves artifact archives between the agent and the controller, through a cache of verified
/// archives at <c>{WorkDir}/artifact-cache/{sha256}</c>: an archive this agent packed or fetched once
/// is never fetched again. Uploads ask the controller how much it holds and send the rest; downloads
/// resume from the bytes already received (<c>{sha256}.part</c>). A broken stream or an unreachable
/// controller is retried with jittered backoff for as long as the attempt runs, like the log shipper;
/// a refusal the controller will repeat (an archive it does not hold, an attempt it does not know)
/// throws <see cref="ArtifactException"/> with its reason. Thread-safe: one transfer per archive at a
/// time (a lock per sha), any number of archives at once. The cache is never pruned.
/// </summary>
public sealed partial class ArtifactTransfer(
    AgentSessions.AgentSessionsClient client,
    ControllerCallOptions callOptions,
    IOptions<AgentOptions> options,
    ILogger<ArtifactTransfer> logger)
{
    private const int ChunkBytes = 64 * 1024;

    // A chunk refused as out of place, or a hash the controller rejects, can follow a concurrent
    // upload of the same archive that failed; a few fresh starts sort that out, more would not.
    private const int MaxRejections = 3;

    private readonly string _cache = Path.Combine(Path.GetFullPath(options.Value.WorkDir), "artifact-cache");
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new();

    /// <summary>Where the verified archive with this SHA-256 is kept.</summary>
    public string CachePathOf(string sha256) => Path.Combine(_cache, sha256);

    /// <summary>
    /// Packs what <paramref name="paths"/> match in <paramref name="workspace"/> into a deterministic
    /// archive, keeps it in the cache, and describes it. Throws <see cref="ArtifactException"/> when
    /// nothing matches or a path is refused.
    /// </summary>
    public async Task<ArtifactRef> PackAsync(string name, string workspace, IReadOnlyList<string> paths, CancellationToken cancellationToken)
    {
        var entries = WorkspaceGlob.Expand(workspace, paths);
        if (entries.Count == 0)
        {
            throw new ArtifactException($"no file in the workspace matches {string.Join(", ", paths)}");
        }

        Directory.CreateDirectory(_cache);
        var packing = Path.Combine(_cache, $"{Guid.NewGuid():N}.packing");
        try
        {
            await using (var file = new FileStream(packing, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, ChunkBytes, useAsync: true))
            {
                await ArtifactArchive.PackAsync(workspace, entries, file, cancellationToken);
            }

            var sha256 = await HashAsync(packing, cancellationToken);
            var size = new FileInfo(packing).Length;
            var gate = _locks.GetOrAdd(sha256, _ => new SemaphoreSlim(1, 1));
            await gate.WaitAsync(cancellationToken);
            try
            {
                if (!File.Exists(CachePathOf(sha256)))
                {
                    File.Move(packing, CachePathOf(sha256));
                }
            }
            finally
            {
                gate.Release();
            }

            return new ArtifactRef { Name = name, Sha256 = sha256, Size = size };
        }
        finally
        {
            File.Delete(packing);
        }
    }

    /// <summary>Uploads a packed archive unless the controller holds it already, resuming a partial upload.</summary>
    public async Task UploadAsync(string attemptId, ArtifactRef artifact, CancellationToken cancellationToken)
    {
        var gate = _locks.GetOrAdd(artifact.Sha256, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            await RetryAsync(artifact, () => UploadOnceAsync(attemptId, artifact, cancellationToken), cancellationToken);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// The verified archive of <paramref name="artifact"/> in the cache, downloaded first unless it is
    /// there. Throws <see cref="ArtifactException"/> when the controller does not hold it or what
    /// arrives does not match its SHA-256 and size.
    /// </summary>
    public async Task<string> FetchAsync(string attemptId, ArtifactRef artifact, CancellationToken cancellationToken)
    {
        if (!IsSha256(artifact.Sha256))
        {
            throw new ArtifactException($"'{artifact.Sha256}' is not a sha256 (64 lower-case hex digits)");
        }

        var path = CachePathOf(artifact.Sha256);
        var gate = _locks.GetOrAdd(artifact.Sha256, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (!File.Exists(path))
            {
                Directory.CreateDirectory(_cache);
                var part = path + ".part";
                await RetryAsync(artifact, () => DownloadOnceAsync(attemptId, artifact, part, cancellationToken), cancellationToken);
                var actual = await HashAsync(part, cancellationToken);
                if (actual != artifact.Sha256)
                {
                    File.Delete(part);
                    throw new ArtifactException($"the archive received does not match its sha256 {artifact.Sha256} (it hashes to {actual})");
                }

                File.Move(part, path, overwrite: true);
                LogFetched(artifact.Name, artifact.Sha256, artifact.Size);
            }

            var length = new FileInfo(path).Length;
            if (length != artifact.Size)
            {
                throw new ArtifactException($"archive {artifact.Sha256} is {length} bytes, not the {artifact.Size} the controller named");
            }

            return path;
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task UploadOnceAsync(string attemptId, ArtifactRef artifact, CancellationToken cancellationToken)
    {
        var status = await client.GetArtifactUploadAsync(new ArtifactUploadQuery { Sha256 = artifact.Sha256 }, callOptions.Create(cancellationToken));
        if (status.Complete)
        {
            return;
        }

        // A part longer than the archive is not ours; sending from 0 makes the controller drop it.
        var offset = status.Stored <= artifact.Size ? status.Stored : 0;
        using var call = client.UploadArtifact(callOptions.Create(cancellationToken));
        await using var reader = new FileStream(CachePathOf(artifact.Sha256), FileMode.Open, FileAccess.Read, FileShare.Read, ChunkBytes, useAsync: true);
        reader.Position = offset;
        var buffer = new byte[ChunkBytes];
        do
        {
            var read = await reader.ReadAsync(buffer.AsMemory(0, (int)Math.Min(ChunkBytes, artifact.Size - offset)), cancellationToken);
            if (read == 0 && offset < artifact.Size)
            {
                throw new ArtifactException($"archive {artifact.Sha256} in the agent's cache ends at byte {offset}, short of {artifact.Size}");
            }

            await call.RequestStream.WriteAsync(new ArtifactUpload
            {
                AttemptId = attemptId,
                Sha256 = artifact.Sha256,
                Size = artifact.Size,
                Offset = offset,
                Data = ByteString.CopyFrom(buffer, 0, read),
            }, cancellationToken);
            offset += read;
        }
        while (offset < artifact.Size);

        await call.RequestStream.CompleteAsync();
        var final = await call.ResponseAsync;
        if (!final.Complete)
        {
            throw new IOException($"the controller holds {final.Stored} of {artifact.Size} bytes after the upload");
        }

        LogUploaded(artifact.Name, artifact.Sha256, artifact.Size);
    }

    private async Task DownloadOnceAsync(string attemptId, ArtifactRef artifact, string part, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(part, FileMode.OpenOrCreate, FileAccess.Write, FileShare.None, ChunkBytes, useAsync: true);
        if (file.Length > artifact.Size)
        {
            file.SetLength(0);
        }

        var offset = file.Length;
        file.Position = offset;
        if (offset == artifact.Size)
        {
            return;
        }

        using var call = client.DownloadArtifactBlob(
            new ArtifactBlobRequest { AttemptId = attemptId, Sha256 = artifact.Sha256, Offset = offset }, callOptions.Create(cancellationToken));
        while (await call.ResponseStream.MoveNext(cancellationToken))
        {
            var chunk = call.ResponseStream.Current;
            if (chunk.Offset != offset)
            {
                throw new IOException($"the controller sent bytes from {chunk.Offset} where {offset} was next");
            }

            if (offset + chunk.Data.Length > artifact.Size)
            {
                throw new ArtifactException($"the controller sent more than the {artifact.Size} bytes the archive should have");
            }

            await file.WriteAsync(chunk.Data.Memory, cancellationToken);
            offset += chunk.Data.Length;
        }

        await file.FlushAsync(cancellationToken);
        if (offset < artifact.Size)
        {
            throw new IOException($"the download ended after {offset} of {artifact.Size} bytes");
        }
    }

    private async Task RetryAsync(ArtifactRef artifact, Func<Task> once, CancellationToken cancellationToken)
    {
        var backoff = new Backoff(options.Value.MaxReconnectDelay);
        var rejections = 0;
        while (true)
        {
            try
            {
                await once();
                return;
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && IsTransient(e, ref rejections))
            {
                LogRetry(artifact.Name, artifact.Sha256, e.Message);
                await Task.Delay(backoff.Next(), cancellationToken);
            }
            catch (RpcException e)
            {
                cancellationToken.ThrowIfCancellationRequested();
                throw new ArtifactException($"the controller refused: {e.Status.Detail}", e);
            }
        }
    }

    private static bool IsTransient(Exception e, ref int rejections) => e switch
    {
        RpcException { StatusCode: StatusCode.InvalidArgument } => ++rejections < MaxRejections,
        RpcException { StatusCode: StatusCode.NotFound or StatusCode.PermissionDenied or StatusCode.Unauthenticated
            or StatusCode.FailedPrecondition or StatusCode.Unimplemented or StatusCode.OutOfRange } => false,
        RpcException or IOException or HttpRequestException => true,
        _ => false,
    };

    private static async Task<string> HashAsync(string path, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, ChunkBytes, useAsync: true);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(file, cancellationToken));
    }

    private static bool IsSha256(string sha256) =>
        sha256.Length == 64 && sha256.AsSpan().IndexOfAnyExcept("0123456789abcdef") < 0;

    [LoggerMessage(EventId = 2400, Level = LogLevel.Warning, Message = "Moving artifact {Name} ({Sha256}) broke ({Reason}); resuming")]
    private partial void LogRetry(string name, string sha256, string reason);

    [LoggerMessage(EventId = 2401, Level = LogLevel.Information, Message = "Fetched artifact {Name} ({Sha256}, {Size} bytes)")]
    private partial void LogFetched(string name, string sha256, long size);

    [LoggerMessage(EventId = 2402, Level = LogLevel.Information, Message = "Uploaded artifact {Name} ({Sha256}, {Size} bytes)")]
    private partial void LogUploaded(string name, string sha256, long size);
}
