namespace Farm.Controller.Security;

/// <summary>An enrollment token's record: its short id, who made it, until when and how many more agents it admits.</summary>
public sealed record EnrollToken(string Id, string CreatedBy, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, int UsesLeft);
