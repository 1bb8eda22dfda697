namespace Farm.Controller.Security;

/// <summary>An API token's record; the value itself is never stored.</summary>
public sealed record ApiToken(string Name, Role Role, string CreatedBy, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);
