using Farm.Api.V1;
using Farm.Controller.Dispatch;
using Farm.Controller.Security;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace Farm.Controller.Admin;

/// <summary>
/// The Admin API: tokens, enrollment tokens, the agent fleet and the audit log. An adapter over the
/// stores in <c>Security</c> and the dispatcher grain; the interceptor has already admitted an admin
/// token and writes the audit log after each change succeeds.
/// </summary>
public sealed class AdminService(
    TokenStore tokens,
    EnrollTokenStore enrollTokens,
    AgentStore agents,
    AuditLog audit,
    IGrainFactory grains,
    TimeProvider time) : Api.V1.Admin.AdminBase
{
    public static readonly TimeSpan DefaultEnrollExpiry = TimeSpan.FromHours(1);

    private IDispatcherGrain Dispatcher => grains.GetGrain<IDispatcherGrain>(0);

    public override async Task<CreateTokenResponse> CreateToken(CreateTokenRequest request, ServerCallContext context)
    {
        if (!TokenStore.IsValidName(request.Name))
        {
            throw Invalid($"name '{request.Name}' is not a token name: 1 to 64 letters, digits, '.', '_', '-' or '@', starting with a letter or digit.");
        }

        var role = Roles.Parse(request.Role) ?? throw Invalid($"role '{request.Role}' is not a role; use {Roles.Names}.");
        var created = await tokens.CreateAsync(request.Name, role, Creator(context), time.GetUtcNow())
            ?? throw new RpcException(new Status(StatusCode.AlreadyExists,
                $"A token named '{request.Name}' exists already (revoked tokens keep their names); choose another name."));
        return new CreateTokenResponse { Token = created.Token, Info = Map(created.Info) };
    }

    public override async Task<TokenInfo> RevokeToken(RevokeTokenRequest request, ServerCallContext context)
    {
        var token = await tokens.GetAsync(request.Name)
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"No token is named '{request.Name}'; see farm tokens."));
        if (!await tokens.RevokeAsync(request.Name, time.GetUtcNow()))
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, $"Token '{request.Name}' was revoked already, at {token.RevokedAt:u}."));
        }

        return Map(await tokens.GetAsync(request.Name) ?? token);
    }

    public override async Task<ListTokensResponse> ListTokens(ListTokensRequest request, ServerCallContext context)
    {
        var response = new ListTokensResponse();
        response.Tokens.Add((await tokens.ListAsync()).Select(Map));
        return response;
    }

    public override async Task<CreateEnrollTokenResponse> CreateEnrollToken(CreateEnrollTokenRequest request, ServerCallContext context)
    {
        var expiresIn = request.ExpiresInSeconds == 0 ? DefaultEnrollExpiry : TimeSpan.FromSeconds(request.ExpiresInSeconds);
        if (expiresIn < TimeSpan.FromSeconds(1) || expiresIn > TimeSpan.FromDays(30))
        {
            throw Invalid($"expires_in_seconds must be 1 to 2592000 (30 days), not {request.ExpiresInSeconds}.");
        }

        var uses = request.Uses == 0 ? 1 : request.Uses;
        if (uses is < 1 or > 1000)
        {
            throw Invalid($"uses must be 1 to 1000, not {request.Uses}.");
        }

        string? replace = null;
        if (request.ReplaceAgentId.Length > 0)
        {
            if (uses != 1)
            {
                throw Invalid($"a re-enrollment token (replace_agent_id '{request.ReplaceAgentId}') admits one re-enroll; uses must be 1, not {request.Uses}.");
            }

            var agent = await Known(request.ReplaceAgentId);
            if (agent.RevokedAt is { } revoked)
            {
                throw new RpcException(new Status(StatusCode.FailedPrecondition,
                    $"Agent '{agent.AgentId}' was revoked at {revoked:u} and can never enroll again; enroll the machine under another AgentId."));
            }

            replace = agent.AgentId;
        }

        var now = time.GetUtcNow();
        var (token, info) = await enrollTokens.CreateAsync(Creator(context), now + expiresIn, uses, now, replace);
        return new CreateEnrollTokenResponse
        {
            Token = token,
            Id = info.Id,
            ExpiresAt = Timestamp.FromDateTimeOffset(info.ExpiresAt),
            Uses = info.UsesLeft,
            ReplaceAgentId = replace ?? "",
        };
    }

    public override async Task<ListEnrollTokensResponse> ListEnrollTokens(ListEnrollTokensRequest request, ServerCallContext context)
    {
        var now = time.GetUtcNow();
        var response = new ListEnrollTokensResponse();
        response.Tokens.Add((await enrollTokens.ListAsync()).Select(t => Map(t, now)));
        return response;
    }

    public override async Task<EnrollTokenInfo> RevokeEnrollToken(RevokeEnrollTokenRequest request, ServerCallContext context)
    {
        var token = await enrollTokens.GetAsync(request.Id)
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"No enrollment token has the id '{request.Id}'; see farm enroll-token list."));
        var now = time.GetUtcNow();
        if (!await enrollTokens.RevokeAsync(request.Id, now))
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, $"Enrollment token {request.Id} was revoked already, at {token.RevokedAt:u}."));
        }

        return Map(await enrollTokens.GetAsync(request.Id) ?? token, now);
    }

    public override async Task<ListAgentsResponse> ListAgents(ListAgentsRequest request, ServerCallContext context)
    {
        var connected = (await Dispatcher.Agents()).ToDictionary(a => a.AgentId, StringComparer.Ordinal);
        var known = (await agents.ListAsync()).ToDictionary(a => a.AgentId, StringComparer.Ordinal);
        var response = new ListAgentsResponse();
        foreach (var id in connected.Keys.Union(known.Keys).Order(StringComparer.Ordinal))
        {
            response.Agents.Add(Map(known.GetValueOrDefault(id), connected.GetValueOrDefault(id), id));
        }

        return response;
    }

    public override async Task<AgentInfo> DrainAgent(DrainAgentRequest request, ServerCallContext context)
    {
        await Known(request.AgentId);
        if (!await agents.DrainAsync(request.AgentId, time.GetUtcNow()))
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, $"Agent '{request.AgentId}' is revoked; there is nothing to drain."));
        }

        await Dispatcher.Drain(request.AgentId, Reason(request.Reason, "drained", context));
        return await InfoAsync(request.AgentId);
    }

    public override async Task<AgentInfo> RevokeAgent(RevokeAgentRequest request, ServerCallContext context)
    {
        await Known(request.AgentId);
        if (!await agents.RevokeAsync(request.AgentId, time.GetUtcNow()))
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, $"Agent '{request.AgentId}' was revoked already."));
        }

        await Dispatcher.Revoke(request.AgentId, Reason(request.Reason, "revoked", context));
        return await InfoAsync(request.AgentId);
    }

    public override async Task<AgentInfo> SetAgentLabels(SetAgentLabelsRequest request, ServerCallContext context)
    {
        var record = await Known(request.AgentId);
        if (request.Labels.FirstOrDefault(l => l.Length == 0 || l.Length > 200 || l.Any(char.IsWhiteSpace)) is { } bad)
        {
            throw Invalid($"Label '{bad}' is not a label: 1 to 200 characters without white space.");
        }

        var labels = request.Labels.Count == 0 ? null : request.Labels.Distinct(StringComparer.Ordinal).ToArray();
        await agents.SetLabelsAsync(request.AgentId, labels);
        await Dispatcher.SetLabels(request.AgentId, labels ?? record.ClaimedLabels);
        return await InfoAsync(request.AgentId);
    }

    public override async Task<ListAuditResponse> ListAudit(ListAuditRequest request, ServerCallContext context)
    {
        var limit = request.Limit == 0 ? 50 : request.Limit;
        if (limit is < 1 or > 1000)
        {
            throw Invalid($"limit must be 1 to 1000, not {request.Limit}.");
        }

        var response = new ListAuditResponse();
        response.Entries.Add((await audit.ListAsync(limit)).Select(e => new AuditEntry
        {
            At = Timestamp.FromDateTimeOffset(e.At),
            Actor = e.Actor,
            Action = e.Action,
            Target = e.Target,
            Detail = e.Detail,
        }));
        return response;
    }

    private async Task<AgentRecord> Known(string agentId) =>
        await agents.GetAsync(agentId)
        ?? throw new RpcException(new Status(StatusCode.NotFound, $"No agent '{agentId}' has enrolled; see farm agents."));

    private async Task<AgentInfo> InfoAsync(string agentId) =>
        Map(await agents.GetAsync(agentId), (await Dispatcher.Agents()).FirstOrDefault(a => a.AgentId == agentId), agentId);

    private static string Creator(ServerCallContext context) => Caller.Identity(context)?.Name ?? Caller.Name(context);

    private static string Reason(string given, string what, ServerCallContext context) =>
        string.IsNullOrWhiteSpace(given) ? $"{what} by {Caller.Name(context)}" : $"{what} by {Caller.Name(context)}: {given.Trim()}";

    private static RpcException Invalid(string message) => new(new Status(StatusCode.InvalidArgument, message));

    private static TokenInfo Map(ApiToken token)
    {
        var info = new TokenInfo
        {
            Name = token.Name,
            Role = Roles.Name(token.Role),
            CreatedBy = token.CreatedBy,
            CreatedAt = Timestamp.FromDateTimeOffset(token.CreatedAt),
        };
        if (token.RevokedAt is { } revoked)
        {
            info.RevokedAt = Timestamp.FromDateTimeOffset(revoked);
        }

        return info;
    }

    private static EnrollTokenInfo Map(EnrollToken token, DateTimeOffset now)
    {
        var info = new EnrollTokenInfo
        {
            Id = token.Id,
            CreatedBy = token.CreatedBy,
            CreatedAt = Timestamp.FromDateTimeOffset(token.CreatedAt),
            ExpiresAt = Timestamp.FromDateTimeOffset(token.ExpiresAt),
            UsesLeft = token.UsesLeft,
            ReplaceAgentId = token.AgentId ?? "",
            State = token.StateAt(now) switch
            {
                Security.EnrollTokenState.Revoked => Api.V1.EnrollTokenState.Revoked,
                Security.EnrollTokenState.Expired => Api.V1.EnrollTokenState.Expired,
                Security.EnrollTokenState.UsedUp => Api.V1.EnrollTokenState.UsedUp,
                _ => Api.V1.EnrollTokenState.Working,
            },
        };
        if (token.RevokedAt is { } revoked)
        {
            info.RevokedAt = Timestamp.FromDateTimeOffset(revoked);
        }

        return info;
    }

    private static AgentInfo Map(AgentRecord? record, AgentStatus? status, string agentId)
    {
        var info = new AgentInfo
        {
            AgentId = agentId,
            Connected = status is not null,
            Slots = status?.Slots ?? record?.Slots ?? 0,
            FreeSlots = status?.FreeSlots ?? 0,
            Draining = status?.Draining == true || record?.DrainedAt is not null,
            Version = record?.Version ?? "",
        };
        info.Labels.Add(status?.Labels ?? record?.EffectiveLabels ?? []);
        info.ClaimedLabels.Add(record?.ClaimedLabels ?? []);
        info.ControllerLabels.Add(record?.Labels ?? []);
        info.RunningAttemptIds.Add(status?.Attempts ?? []);
        if ((status?.LastSeen ?? record?.LastSeen) is { } seen)
        {
            info.LastSeen = Timestamp.FromDateTimeOffset(seen);
        }

        if (record is not null)
        {
            info.EnrolledAt = Timestamp.FromDateTimeOffset(record.EnrolledAt);
        }

        if (record?.RevokedAt is { } revoked)
        {
            info.RevokedAt = Timestamp.FromDateTimeOffset(revoked);
        }

        if (status?.Host is { } host)
        {
            info.Engine = host.Engine();
            info.Policy = host.Policy();
            info.ClockOffsetMs = (long)host.ClockOffset.TotalMilliseconds;
        }

        return info;
    }
}
