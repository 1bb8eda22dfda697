using Farm.Api.V1;
using Farm.Controller.Security;
using Grpc.Core;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Farm.Controller.Tests.Security;

public sealed class TokenInterceptorTests
{
    private const string Start = "/farm.v1.Executions/StartExecution";
    private const string Decide = "/farm.v1.Executions/DecideApproval";
    private const string Connect = "/farm.v1.AgentSessions/Connect";
    private const string Enroll = "/farm.v1.AgentSessions/Enroll";

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly TokenStore _tokens;
    private readonly EnrollTokenStore _enrollTokens;
    private readonly AgentStore _agents;
    private readonly AuditLog _audit;
    private readonly TokenInterceptor _interceptor;

    public TokenInterceptorTests()
    {
        var database = SecurityDatabase.Create();
        (_tokens, _enrollTokens, _agents, _audit) = (new(database), new(database), new(database), new(database));
        _interceptor = new TokenInterceptor(_tokens, _enrollTokens, _agents, _audit, _time, NullLogger<TokenInterceptor>.Instance);
    }

    private async Task<string> TokenAsync(string name, Role role) => (await _tokens.CreateAsync(name, role, "test", _time.GetUtcNow()))!.Value.Token;

    private async Task<RpcException> RefusedAsync(TestCallContext context) =>
        await Assert.ThrowsAsync<RpcException>(() => _interceptor.AuthorizeAsync(context));

    [Fact]
    public async Task Call_without_a_token_is_unauthenticated_and_health_is_open()
    {
        var refused = await RefusedAsync(TestCallContext.For(Start));
        var health = await _interceptor.AuthorizeAsync(TestCallContext.For("/grpc.health.v1.Health/Check"));

        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
        Assert.Null(health);
    }

    [Fact]
    public async Task Viewer_may_read_but_not_start_or_approve()
    {
        var viewer = await TokenAsync("watcher", Role.Viewer);

        var read = await _interceptor.AuthorizeAsync(TestCallContext.For("/farm.v1.Executions/GetExecution", viewer));
        var start = await RefusedAsync(TestCallContext.For(Start, viewer));
        var decide = await RefusedAsync(TestCallContext.For(Decide, viewer));

        Assert.NotNull(read);
        Assert.Equal((StatusCode.PermissionDenied, "Token 'watcher' has the viewer role; /farm.v1.Executions/StartExecution needs the operator or admin role."),
            (start.StatusCode, start.Status.Detail));
        Assert.Equal(StatusCode.PermissionDenied, decide.StatusCode);
    }

    [Fact]
    public async Task Approver_approves_operator_does_not_and_the_caller_is_the_token_with_the_user_as_detail()
    {
        var approver = await TokenAsync("release-manager", Role.Approver);
        var op = await TokenAsync("ci-bot", Role.Operator);
        var context = TestCallContext.For(Decide, approver, "alice@host");

        await _interceptor.AuthorizeAsync(context);
        var byOperator = await RefusedAsync(TestCallContext.For(Decide, op));

        Assert.Equal("release-manager (alice@host)", Caller.Name(context));
        Assert.Equal(StatusCode.PermissionDenied, byOperator.StatusCode);
    }

    [Fact]
    public async Task Revoked_token_is_refused_at_the_next_call()
    {
        var admin = await TokenAsync("root", Role.Admin);
        await _interceptor.AuthorizeAsync(TestCallContext.For(Start, admin));

        await _tokens.RevokeAsync("root", _time.GetUtcNow());
        var refused = await RefusedAsync(TestCallContext.For(Start, admin));

        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
    }

    [Fact]
    public async Task Agent_methods_take_only_the_agent_credential_and_api_methods_refuse_it()
    {
        var admin = await TokenAsync("root", Role.Admin);
        var credential = SecretTokens.AgentCredential("builder-1", SecretTokens.New());
        await _agents.EnrollAsync("builder-1", SecretTokens.Hash(credential), "e1", _time.GetUtcNow());
        var agentContext = TestCallContext.For(Connect, credential);

        await _interceptor.AuthorizeAsync(agentContext);
        var adminOnAgent = await RefusedAsync(TestCallContext.For(Connect, admin));
        var agentOnApi = await RefusedAsync(TestCallContext.For(Start, credential));
        var forged = await RefusedAsync(TestCallContext.For(Connect, SecretTokens.AgentCredential("builder-1", SecretTokens.New())));
        await _agents.RevokeAsync("builder-1", _time.GetUtcNow());
        var revoked = await RefusedAsync(TestCallContext.For(Connect, credential));

        Assert.Equal(new CallerIdentity(CallerKind.Agent, "builder-1", null, null), Caller.Identity(agentContext));
        Assert.Equal(StatusCode.PermissionDenied, adminOnAgent.StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, agentOnApi.StatusCode);
        Assert.Equal(StatusCode.Unauthenticated, forged.StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, revoked.StatusCode);
    }

    [Fact]
    public async Task Enrollment_takes_a_working_enrollment_token_only()
    {
        var (token, info) = await _enrollTokens.CreateAsync("root", _time.GetUtcNow().AddMinutes(5), 1, _time.GetUtcNow());
        var admin = await TokenAsync("root", Role.Admin);
        var context = TestCallContext.For(Enroll, token);

        await _interceptor.AuthorizeAsync(context);
        var withAdmin = await RefusedAsync(TestCallContext.For(Enroll, admin));
        _time.Advance(TimeSpan.FromMinutes(5));
        var expired = await RefusedAsync(TestCallContext.For(Enroll, token));

        Assert.Equal("enroll-token " + info.Id, Caller.Name(context));
        Assert.Equal(StatusCode.Unauthenticated, withAdmin.StatusCode);
        Assert.Equal(StatusCode.Unauthenticated, expired.StatusCode);
        Assert.Contains("expired", expired.Status.Detail);
    }

    [Fact]
    public async Task Method_missing_from_the_table_is_refused_whatever_the_token()
    {
        var admin = await TokenAsync("root", Role.Admin);

        var refused = await RefusedAsync(TestCallContext.For("/farm.v1.Pipelines/DropEverything", admin));

        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
    }

    [Fact]
    public async Task Successful_change_is_audited_with_the_callers_name()
    {
        var op = await TokenAsync("ci-bot", Role.Operator);
        var context = TestCallContext.For(Start, op, "alice@host");

        await _interceptor.UnaryServerHandler(new StartExecutionRequest { Pipeline = "app" }, context,
            (_, _) => Task.FromResult(new StartExecutionResponse { ExecutionId = "app-7" }));
        var entry = Assert.Single(await _audit.ListAsync(10));

        Assert.Equal(new AuditRecord(_time.GetUtcNow(), "ci-bot (alice@host)", "StartExecution", "app-7", "pipeline app"), entry);
    }

    [Fact]
    public async Task Refused_enrollments_are_audited_with_the_token_the_agent_id_and_why()
    {
        var (token, info) = await _enrollTokens.CreateAsync("root", _time.GetUtcNow().AddMinutes(5), 1, _time.GetUtcNow());
        await _enrollTokens.RevokeAsync(info.Id, _time.GetUtcNow());
        var (working, workingInfo) = await _enrollTokens.CreateAsync("root", _time.GetUtcNow().AddMinutes(5), 1, _time.GetUtcNow());
        var takeover = new RpcException(new Status(StatusCode.PermissionDenied, "Agent id 'builder-1' is enrolled already"));

        var revoked = await Assert.ThrowsAsync<RpcException>(() => _interceptor.UnaryServerHandler<EnrollRequest, EnrollResponse>(
            new EnrollRequest { AgentId = "builder-1" }, TestCallContext.For(Enroll, token), (_, _) => Task.FromResult(new EnrollResponse())));
        var unknown = await Assert.ThrowsAsync<RpcException>(() => _interceptor.UnaryServerHandler<EnrollRequest, EnrollResponse>(
            new EnrollRequest { AgentId = "builder-2" }, TestCallContext.For(Enroll, "made-up"), (_, _) => Task.FromResult(new EnrollResponse())));
        await Assert.ThrowsAsync<RpcException>(() => _interceptor.UnaryServerHandler<EnrollRequest, EnrollResponse>(
            new EnrollRequest { AgentId = "builder-1" }, TestCallContext.For(Enroll, working), (_, _) => throw takeover));
        await _interceptor.UnaryServerHandler(
            new EnrollRequest { AgentId = "builder-3" }, TestCallContext.For(Enroll, working), (_, _) => Task.FromResult(new EnrollResponse()));
        var entries = await _audit.ListAsync(10);

        Assert.Equal(StatusCode.Unauthenticated, revoked.StatusCode);
        Assert.Equal(StatusCode.Unauthenticated, unknown.StatusCode);
        var at = _time.GetUtcNow();
        Assert.Equal(
            [
                new AuditRecord(at, "enroll-token " + workingInfo.Id, "Enroll", "builder-3", "enrolled"),
                new AuditRecord(at, "enroll-token " + workingInfo.Id, "Enroll", "builder-1", "refused (PermissionDenied): Agent id 'builder-1' is enrolled already"),
                new AuditRecord(at, "unknown enrollment token", "Enroll", "builder-2", "refused (Unauthenticated): The enrollment token is not known to this controller."),
                new AuditRecord(at, "enroll-token " + info.Id, "Enroll", "builder-1", $"refused (Unauthenticated): {revoked.Status.Detail}"),
            ],
            entries);
    }
}
