using Grpc.Core;
using Microsoft.AspNetCore.Components.Authorization;

namespace Farm.Dashboard.Controller;

/// <summary>
/// The signed-in user of one circuit: their access, and calls that carry their token. Scoped, so each
/// browser tab's circuit has its own.
/// </summary>
public sealed class FarmSession(AuthenticationStateProvider authentication, ControllerChannel channel)
{
    private CallInvoker? _invoker;
    private UserAccess? _access;

    public async Task<UserAccess> AccessAsync()
    {
        if (_access is null)
        {
            var state = await authentication.GetAuthenticationStateAsync();
            _access = SessionClaims.AccessOf(state.User);
        }

        return _access;
    }

    /// <summary>Calls with the user's token; a session without one fails its calls as UNAUTHENTICATED, which signs the user out.</summary>
    public async Task<CallInvoker> InvokerAsync()
    {
        if (_invoker is null)
        {
            var state = await authentication.GetAuthenticationStateAsync();
            _invoker = channel.For(SessionClaims.TokenOf(state.User) ?? "");
        }

        return _invoker;
    }
}
