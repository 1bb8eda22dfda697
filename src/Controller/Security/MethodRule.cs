namespace Farm.Controller.Security;

/// <summary>
/// What one gRPC method needs, and, for a change, how to describe it in the audit log from its
/// request and response (target, detail). A method with an <see cref="Audit"/> is unary.
/// </summary>
public sealed record MethodRule(Access Access, Func<object, object, (string Target, string Detail)>? Audit = null);
