namespace Farm.Controller.Security;

/// <summary>
/// Who the interceptor admitted: the token's name (an agent's id for agents, the enrollment token's
/// id for enrollment), its role for API tokens, and the <c>farm-user</c> the client declared, which
/// is detail only and proves nothing.
/// </summary>
public sealed record CallerIdentity(CallerKind Kind, string Name, Role? Role, string? Declared)
{
    /// <summary>The name recorded for starts, approvals and the audit log: <c>ci-bot (alice@host)</c>, or <c>ci-bot</c>.</summary>
    public string Display => string.IsNullOrEmpty(Declared) || Declared == Name ? Name : $"{Name} ({Declared})";
}
