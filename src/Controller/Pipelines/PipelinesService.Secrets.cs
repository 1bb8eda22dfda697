using System.Text.RegularExpressions;
using Farm.Api.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace Farm.Controller.Pipelines;

/// <summary>The secrets part of the Pipelines API: values go in, only names and times come out.</summary>
public sealed partial class PipelinesService
{
    private const int MaxSecretBytes = 64 * 1024;

    public override async Task<Api.V1.SecretInfo> SetSecret(SetSecretRequest request, ServerCallContext context)
    {
        await RequirePipelineAsync(request.Pipeline);
        RequireSecretName(request.Name);
        if (request.Value.Length == 0 || System.Text.Encoding.UTF8.GetByteCount(request.Value) > MaxSecretBytes)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"A secret's value must be 1 byte to 64 KiB long."));
        }

        var now = DateTimeOffset.UtcNow;
        await secrets.SetAsync(request.Pipeline, request.Name, request.Value, now);
        return new Api.V1.SecretInfo { Name = request.Name, UpdatedAt = Timestamp.FromDateTimeOffset(now) };
    }

    public override async Task<ListSecretsResponse> ListSecrets(ListSecretsRequest request, ServerCallContext context)
    {
        await RequirePipelineAsync(request.Pipeline);
        var response = new ListSecretsResponse();
        response.Secrets.Add((await secrets.ListAsync(request.Pipeline))
            .Select(s => new Api.V1.SecretInfo { Name = s.Name, UpdatedAt = Timestamp.FromDateTimeOffset(s.UpdatedAt) }));
        return response;
    }

    public override async Task<Api.V1.SecretInfo> DeleteSecret(DeleteSecretRequest request, ServerCallContext context)
    {
        await RequirePipelineAsync(request.Pipeline);
        RequireSecretName(request.Name);
        if (!await secrets.DeleteAsync(request.Pipeline, request.Name))
        {
            throw new RpcException(new Status(StatusCode.NotFound, $"Pipeline '{request.Pipeline}' has no secret '{request.Name}'."));
        }

        return new Api.V1.SecretInfo { Name = request.Name };
    }

    private async Task RequirePipelineAsync(string pipeline)
    {
        Require(pipeline, "pipeline");
        if (await grains.GetGrain<IPipelineGrain>(pipeline).GetVersion(0) is null)
        {
            throw NotApplied(pipeline);
        }
    }

    private static void RequireSecretName(string name)
    {
        if (!SecretName().IsMatch(name))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument,
                $"'{name}' is not a secret name: use a letter or '_' followed by letters, digits and '_'."));
        }
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,99}$")]
    private static partial Regex SecretName();
}
