using Farm.Api.V1;
using Farm.Controller.Artifacts;
using Farm.Controller.Executions;
using Google.Protobuf;
using Grpc.Core;

namespace Farm.Controller.Dispatch;

// The artifact half of the agent protocol: uploads and downloads of content-addressed archives.
// The store comes from the request's services rather than the constructor, so this file adds the
// feature without changing the class's constructor in AgentSessionService.cs.
public sealed partial class AgentSessionService
{
    private const int ArtifactChunkBytes = 64 * 1024;

    public override Task<ArtifactUploadStatus> GetArtifactUpload(ArtifactUploadQuery request, ServerCallContext context)
    {
        ValidateSha256(request.Sha256);
        var (complete, stored) = artifacts.Stored(request.Sha256);
        return Task.FromResult(new ArtifactUploadStatus { Complete = complete, Stored = stored });
    }

    public override async Task<ArtifactUploadStatus> UploadArtifact(IAsyncStreamReader<ArtifactUpload> requests, ServerCallContext context)
    {
        var cancellation = context.CancellationToken;
        if (!await requests.MoveNext(cancellation))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "An artifact upload must send at least one message naming the archive."));
        }

        var first = requests.Current;
        ValidateSha256(first.Sha256);
        await AuthorizeAsync(context, first.AttemptId, AttemptUse.UploadArtifact);

        var store = artifacts;
        var (complete, stored) = store.Stored(first.Sha256);
        var chunk = first;
        while (true)
        {
            if (chunk.AttemptId != first.AttemptId || chunk.Sha256 != first.Sha256 || chunk.Size != first.Size)
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument,
                    $"An artifact upload carries one archive of one attempt: it opened with attempt '{first.AttemptId}', archive {first.Sha256} of {first.Size} bytes, " +
                    $"and then sent attempt '{chunk.AttemptId}', archive {chunk.Sha256} of {chunk.Size} bytes."));
            }

            if (chunk.Data.Length > 0)
            {
                try
                {
                    (complete, stored) = await store.AppendAsync(chunk.Sha256, chunk.Size, chunk.Offset, chunk.Data.Memory, cancellation);
                }
                catch (ArtifactUploadException rejected)
                {
                    throw new RpcException(new Status(StatusCode.InvalidArgument, rejected.Message));
                }
            }

            if (!await requests.MoveNext(cancellation))
            {
                return new ArtifactUploadStatus { Complete = complete, Stored = stored };
            }

            chunk = requests.Current;
        }
    }

    public override async Task DownloadArtifactBlob(
        ArtifactBlobRequest request, IServerStreamWriter<ArtifactChunk> responses, ServerCallContext context)
    {
        ValidateSha256(request.Sha256);
        await AuthorizeAsync(context, request.AttemptId, AttemptUse.DownloadArtifact, request.Sha256);
        await using var archive = artifacts.OpenRead(request.Sha256)
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"This controller holds no artifact archive {request.Sha256}."));

        if (request.Offset < 0 || request.Offset > archive.Length)
        {
            throw new RpcException(new Status(StatusCode.OutOfRange,
                $"Archive {request.Sha256} has {archive.Length} bytes; offset {request.Offset} is outside it."));
        }

        archive.Position = request.Offset;
        var buffer = new byte[ArtifactChunkBytes];
        var offset = request.Offset;
        int read;
        while ((read = await archive.ReadAsync(buffer, context.CancellationToken)) > 0)
        {
            await responses.WriteAsync(new ArtifactChunk { Offset = offset, Data = ByteString.CopyFrom(buffer, 0, read) }, context.CancellationToken);
            offset += read;
        }
    }

    private static void ValidateSha256(string sha256)
    {
        if (!ArtifactStore.IsSha256(sha256))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument,
                $"'{sha256}' is not a sha256: an artifact archive is named by 64 lower-case hex digits."));
        }
    }
}
