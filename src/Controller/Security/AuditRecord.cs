namespace Farm.Controller.Security;

/// <summary>One line of the audit log: when, who (a token's name, with the declared user as detail), what, to what, and more.</summary>
public sealed record AuditRecord(DateTimeOffset At, string Actor, string Action, string Target, string Detail);
