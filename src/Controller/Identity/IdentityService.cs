using Farm.Api.V1;
using Farm.Controller.Security;
using Grpc.Core;

namespace Farm.Controller.Identity;

/// <summary>
/// The Identity API: tells a caller the name and role of its own token. The interceptor has already
/// admitted the token and put its identity on the call, so this only maps it.
/// </summary>
public sealed class IdentityService : Api.V1.Identity.IdentityBase
{
    public override Task<WhoAmIResponse> WhoAmI(WhoAmIRequest request, ServerCallContext context)
    {
        var identity = Caller.Identity(context) is { Kind: CallerKind.Token, Role: { } role } token
            ? new WhoAmIResponse { Name = token.Name, Role = Roles.Name(role) }
            // The access table admits only API tokens here; reaching this means the interceptor was bypassed.
            : throw new RpcException(new Status(StatusCode.Unauthenticated, TokenInterceptor.MissingToken));
        return Task.FromResult(identity);
    }
}
