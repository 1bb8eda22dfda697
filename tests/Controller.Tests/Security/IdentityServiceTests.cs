using Farm.Api.V1;
using Farm.Controller.Identity;
using Farm.Controller.Security;
using Grpc.Core;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Farm.Controller.Tests.Security;

public sealed class IdentityServiceTests
{
    private const string WhoAmI = "/farm.v1.Identity/WhoAmI";

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly TokenStore _tokens;
    private readonly TokenInterceptor _interceptor;

    public IdentityServiceTests()
    {
        var database = SecurityDatabase.Create();
        _tokens = new TokenStore(database);
        _interceptor = new TokenInterceptor(_tokens, new EnrollTokenStore(database), new AgentStore(database), new AuditLog(database), _time,
            NullLogger<TokenInterceptor>.Instance);
    }

    [Theory]
    [InlineData(Role.Viewer, "viewer")]
    [InlineData(Role.Approver, "approver")]
    [InlineData(Role.Admin, "admin")]
    public async Task Any_api_token_learns_its_own_name_and_role(Role role, string roleName)
    {
        var token = (await _tokens.CreateAsync("dash-user", role, "test", _time.GetUtcNow()))!.Value.Token;
        var context = TestCallContext.For(WhoAmI, token, "alice@host");

        await _interceptor.AuthorizeAsync(context);
        var answer = await new IdentityService().WhoAmI(new WhoAmIRequest(), context);

        Assert.Equal(("dash-user", roleName), (answer.Name, answer.Role));
    }

    [Fact]
    public async Task Revoked_token_is_unauthenticated_so_a_dashboard_returns_to_sign_in()
    {
        var token = (await _tokens.CreateAsync("gone", Role.Operator, "test", _time.GetUtcNow()))!.Value.Token;
        await _tokens.RevokeAsync("gone", _time.GetUtcNow());

        var refused = await Assert.ThrowsAsync<RpcException>(() => _interceptor.AuthorizeAsync(TestCallContext.For(WhoAmI, token)));

        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
    }

    [Fact]
    public async Task Agent_credential_may_not_ask()
    {
        var refused = await Assert.ThrowsAsync<RpcException>(() => _interceptor.AuthorizeAsync(TestCallContext.For(WhoAmI, "agent.build-1.secret")));

        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
    }
}
