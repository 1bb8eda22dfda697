using Farm.Controller.Dispatch;
using Grpc.Core;

namespace Farm.Controller.Security;

/// <summary>
/// Exchanges an enrollment token for an agent's own credential: takes one use of the token, stores
/// the hash of a fresh credential under the agent's id and returns the credential once. An id that
/// has enrolled already is refused unless the token was made for re-enrolling exactly that id
/// (<c>farm enroll-token create --replace ID</c>): then the new credential replaces the old one, whose
/// open session is ended, and the controller-side labels stay. A revoked id stays revoked. Errors are
/// <see cref="RpcException"/>s with the status the agent protocol documents; the interceptor audits
/// every outcome.
/// </summary>
public sealed partial class AgentEnrollment(
    EnrollTokenStore enrollTokens,
    AgentStore agents,
    IGrainFactory grains,
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

        var now = time.GetUtcNow();
        var token = await enrollTokens.FindAsync(enrollToken);
        if (EnrollTokenStore.Refusal(token, now) is { } refusal)
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, refusal));
        }

        var existing = await agents.GetAsync(agentId);
        if (existing is { RevokedAt: { } revoked })
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied,
                $"Agent '{agentId}' was revoked at {revoked:u} and cannot enroll again; give this agent another AgentId."));
        }

        if (token!.AgentId is { } only && only != agentId)
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied,
                $"The enrollment token {token.Id} re-enrolls agent '{only}' only, not '{agentId}'; ask an admin for a token for new agents (farm enroll-token create)."));
        }

        var replace = token.AgentId is not null;
        if (existing is not null && !replace)
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, AlreadyEnrolled(agentId, existing.EnrolledAt)));
        }

        var used = await enrollTokens.ConsumeAsync(enrollToken, now)
            ?? throw new RpcException(new Status(StatusCode.Unauthenticated,
                EnrollTokenStore.Refusal(await enrollTokens.FindAsync(enrollToken), now) ?? "The enrollment token no longer works."));

        var credential = SecretTokens.AgentCredential(agentId, SecretTokens.New());
        var hash = SecretTokens.Hash(credential);
        if (replace ? !await agents.ReplaceCredentialAsync(agentId, hash, used.Id, now) : !await agents.EnrollAsync(agentId, hash, used.Id, now))
        {
            // Another enrollment or a revocation of the same id came between the checks and the write.
            throw new RpcException(new Status(StatusCode.PermissionDenied, await agents.GetAsync(agentId) switch
            {
                { RevokedAt: { } at } => $"Agent '{agentId}' was revoked at {at:u} and cannot enroll again; give this agent another AgentId.",
                { } record => AlreadyEnrolled(agentId, record.EnrolledAt),
                null => $"Agent '{agentId}' has not enrolled, so there is no credential to replace; enroll it with a token for new agents (farm enroll-token create).",
            }));
        }

        if (replace)
        {
            // Whoever held the old credential loses its session now, not at its next reconnect.
            await grains.GetGrain<IDispatcherGrain>(0).Revoke(agentId, $"agent '{agentId}' was enrolled again with enrollment token {used.Id}; this credential was replaced");
            LogReenrolled(agentId, used.Id);
        }
        else
        {
            LogEnrolled(agentId, used.Id, used.UsesLeft);
        }

        return credential;
    }

    private static string AlreadyEnrolled(string agentId, DateTimeOffset since) =>
        $"Agent id '{agentId}' is enrolled already (since {since:u}); enrolling again would take it over. If this machine is that agent "
        + $"and lost its credential, an admin allows one re-enroll with `farm enroll-token create --replace {agentId}` and the agent enrolls with that token; "
        + "otherwise give this agent another AgentId.";

    [LoggerMessage(EventId = 1701, Level = LogLevel.Information, Message = "Agent {AgentId} enrolled with enrollment token {TokenId} ({UsesLeft} uses left)")]
    private partial void LogEnrolled(string agentId, string tokenId, int usesLeft);

    [LoggerMessage(EventId = 1703, Level = LogLevel.Warning, Message = "Agent {AgentId} enrolled again with re-enrollment token {TokenId}; its old credential is refused from now on")]
    private partial void LogReenrolled(string agentId, string tokenId);
}
