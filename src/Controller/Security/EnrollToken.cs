namespace Farm.Controller.Security;

/// <summary>
/// An enrollment token's record: its short id, who made it, until when and how many more agents it
/// admits, when it was revoked (null while it works), and the one agent id it re-enrolls when it was
/// made to replace an enrolled agent's credential (null for a token for new agents).
/// </summary>
public sealed record EnrollToken(
    string Id, string CreatedBy, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, int UsesLeft,
    DateTimeOffset? RevokedAt = null, string? AgentId = null)
{
    /// <summary>Whether it enrolls an agent at <paramref name="now"/>, else the first reason why not.</summary>
    public EnrollTokenState StateAt(DateTimeOffset now) =>
        RevokedAt is not null ? EnrollTokenState.Revoked
        : ExpiresAt <= now ? EnrollTokenState.Expired
        : UsesLeft <= 0 ? EnrollTokenState.UsedUp
        : EnrollTokenState.Working;
}
