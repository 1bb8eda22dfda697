using Grpc.Core;

namespace Farm.Controller.Security;

/// <summary>
/// Exchanges an enrollment token for an agent's own credential: takes one use of the token, stores
/// the hash of a fresh credential under the agent's id (replacing an older one) and returns the
/// credential once. A revoked id stays revoked. Errors are <see cref="RpcException"/>s with the
/// status the agent protocol documents.
/// </summary>
public sealed partial class AgentEnrollment(
    EnrollTokenStore enrollTokens,
    AgentStore agents,
    TimeProvider time,
    ILogger<AgentEnrollment> logger)
{
    public async Task<string> EnrollAsync(string enrollToken, string agentId)
    {
        if (!AgentStore.IsValidId(agentId))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument,
                $"agent_id '{agentId}' is not an agent id: 1 to 200 letters, digits, '.', '_' or '-', starting with a letter or digit."));
        }

        if (await agents.GetAsync(agentId) is { RevokedAt: { } revoked })
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied,
                $"Agent '{agentId}' was revoked at {revoked:u} and cannot enroll again; give this agent another AgentId."));
        }

        var now = time.GetUtcNow();
        var used = await enrollTokens.ConsumeAsync(enrollToken, now)
            ?? throw new RpcException(new Status(StatusCode.Unauthenticated,
                EnrollTokenStore.Refusal(await enrollTokens.FindAsync(enrollToken), now) ?? "The enrollment token no longer works."));

        var credential = SecretTokens.AgentCredential(agentId, SecretTokens.New());
        if (!await agents.EnrollAsync(agentId, SecretTokens.Hash(credential), used.Id, now))
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, $"Agent '{agentId}' was revoked and cannot enroll again."));
        }

        LogEnrolled(agentId, used.Id, used.UsesLeft);
        return credential;
    }

    [LoggerMessage(EventId = 1701, Level = LogLevel.Information, Message = "Agent {AgentId} enrolled with enrollment token {TokenId} ({UsesLeft} uses left)")]
    private partial void LogEnrolled(string agentId, string tokenId, int usesLeft);
}
