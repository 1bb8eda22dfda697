using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Farm.Controller.Security;

/// <summary>
/// Admits every call by its bearer token and the method's entry in <see cref="AccessTable"/>: API
/// tokens by role, agents by their own credential (<c>agent.ID.SECRET</c>), enrollment by an
/// enrollment token. No token is UNAUTHENTICATED; a token of the wrong kind or role, or a method not
/// in the table, is PERMISSION_DENIED. The admitted identity is put on the call for
/// <see cref="Caller"/>. After a successful change (a method the table audits) it appends to the
/// audit log; for a method whose rule says so (enrollment), it appends refusals too. Health checks
/// and reflection (<c>/grpc.*</c>) stay open for probes and tools.
/// </summary>
public sealed partial class TokenInterceptor(
    TokenStore tokens,
    EnrollTokenStore enrollTokens,
    AgentStore agents,
    AuditLog audit,
    TimeProvider time,
    ILogger<TokenInterceptor> logger) : Interceptor
{
    public const string MissingToken =
        "This call needs a token: set FARM_TOKEN. The controller wrote its first admin token to admin.token in its data folder (.farm/admin.token).";

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        MethodRule? rule;
        TResponse response;
        try
        {
            rule = await AuthorizeAsync(context);
            response = await continuation(request, context);
        }
        catch (RpcException e) when (AccessTable.Methods.GetValueOrDefault(context.Method)?.RefusalTarget is { } target)
        {
            await WriteAuditAsync(context, (target(request), $"refused ({e.StatusCode}): {e.Status.Detail}"));
            throw;
        }

        if (rule?.Audit is { } describe)
        {
            await WriteAuditAsync(context, describe(request, response));
        }

        return response;
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await AuthorizeAsync(context);
        return await continuation(requestStream, context);
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await AuthorizeAsync(context);
        await continuation(request, responseStream, context);
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await AuthorizeAsync(context);
        await continuation(requestStream, responseStream, context);
    }

    /// <summary>
    /// Decides the call: its rule (null for open methods) with the caller's identity set on the
    /// context, or an <see cref="RpcException"/> that says why not.
    /// </summary>
    public async Task<MethodRule?> AuthorizeAsync(ServerCallContext context)
    {
        var method = context.Method;
        if (method.StartsWith("/grpc.", StringComparison.Ordinal))
        {
            return null;
        }

        if (!AccessTable.Methods.TryGetValue(method, out var rule))
        {
            throw Refused(StatusCode.PermissionDenied, $"{method} is not in the controller's access table, so nobody may call it.");
        }

        var bearer = Caller.Bearer(context);
        var declared = Caller.Declared(context);
        if (bearer is null)
        {
            throw Refused(StatusCode.Unauthenticated, rule.Access switch
            {
                Access.Agent => "Agents need their credential: enroll with an enrollment token first (Farm:Agent:EnrollToken).",
                Access.Enrollment => "Enrollment needs an enrollment token: ask an admin (farm enroll-token create).",
                _ => MissingToken,
            });
        }

        var agentCredential = SecretTokens.TryParseAgentCredential(bearer, out var agentId, out var secret);
        CallerIdentity identity;
        switch (rule.Access)
        {
            case Access.Agent:
                if (!agentCredential)
                {
                    throw Refused(StatusCode.PermissionDenied, $"{method} takes an agent credential (agent.ID.SECRET), not an API or enrollment token.");
                }

                var agent = await agents.VerifyAsync(agentId, secret)
                    ?? throw Refused(StatusCode.Unauthenticated, $"The credential of agent '{agentId}' was not accepted; enroll the agent again with a new enrollment token.");
                if (agent.RevokedAt is { } revoked)
                {
                    throw Refused(StatusCode.PermissionDenied, $"Agent '{agentId}' was revoked at {revoked:u}.");
                }

                identity = new CallerIdentity(CallerKind.Agent, agentId, null, null);
                break;

            case Access.Enrollment:
                var enroll = await enrollTokens.FindAsync(bearer);
                identity = new CallerIdentity(CallerKind.Enrollment, enroll is null ? "unknown enrollment token" : "enroll-token " + enroll.Id, null, null);
                // Set before the verdict, so that the audit entry of a refusal names the token.
                Caller.Set(context, identity);
                if (EnrollTokenStore.Refusal(enroll, time.GetUtcNow()) is { } refusal)
                {
                    throw Refused(StatusCode.Unauthenticated, refusal);
                }

                break;

            default:
                if (agentCredential)
                {
                    throw Refused(StatusCode.PermissionDenied, $"Agent credentials may only call the agent protocol, not {method}.");
                }

                var token = await tokens.FindAsync(bearer)
                    ?? throw Refused(StatusCode.Unauthenticated, "The token was not accepted: it is unknown or revoked.");
                if (!AccessTable.Allows(rule.Access, token.Role))
                {
                    throw Refused(StatusCode.PermissionDenied,
                        $"Token '{token.Name}' has the {Roles.Name(token.Role)} role; {method} needs {AccessTable.Needs(rule.Access)}.");
                }

                identity = new CallerIdentity(CallerKind.Token, token.Name, token.Role, declared);
                break;
        }

        Caller.Set(context, identity);
        return rule;
    }

    private static RpcException Refused(StatusCode code, string message) => new(new Status(code, message));

    private async Task WriteAuditAsync(ServerCallContext context, (string Target, string Detail) what)
    {
        var method = context.Method[(context.Method.LastIndexOf('/') + 1)..];
        try
        {
            await audit.WriteAsync(new AuditRecord(time.GetUtcNow(), Caller.Name(context), method, what.Target, what.Detail));
        }
        catch (Exception e)
        {
            // The change is made; failing the call now would only hide that it was.
            LogAuditFailed(e, method, Caller.Name(context));
        }
    }

    [LoggerMessage(EventId = 1700, Level = LogLevel.Error, Message = "Could not write the audit log entry for {Method} by {Caller}")]
    private partial void LogAuditFailed(Exception exception, string method, string caller);
}
