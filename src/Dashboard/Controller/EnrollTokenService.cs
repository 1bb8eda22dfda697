using Farm.Api.V1;

namespace Farm.Dashboard.Controller;

/// <summary>Enrollment tokens through the Admin API (admin tokens only): list and revoke; never their values.</summary>
public sealed class EnrollTokenService(FarmSession session)
{
    private async Task<Admin.AdminClient> ClientAsync() => new(await session.InvokerAsync());

    /// <summary>Every enrollment token, newest first, with its state as of now.</summary>
    public async Task<IReadOnlyList<EnrollTokenInfo>> ListAsync(CancellationToken cancellation = default) =>
        (await (await ClientAsync()).ListEnrollTokensAsync(new ListEnrollTokensRequest(), cancellationToken: cancellation)).Tokens;

    /// <summary>Revokes the token: agents presenting it are refused from now on; agents it enrolled keep their credentials.</summary>
    public async Task<EnrollTokenInfo> RevokeAsync(string id) =>
        await (await ClientAsync()).RevokeEnrollTokenAsync(new RevokeEnrollTokenRequest { Id = id });
}
