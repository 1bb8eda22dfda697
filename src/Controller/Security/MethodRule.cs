namespace Farm.Controller.Security;

/// <summary>
/// What one gRPC method needs, and, for a change, how to describe it in the audit log from its
/// request and response (target, detail). A method with an <see cref="Audit"/> is unary. With a
/// <see cref="RefusalTarget"/>, refused calls are audited too (target from the request, the refusal as
/// detail): for the doors that anyone may knock on, such as enrollment.
/// </summary>
public sealed record MethodRule(
    Access Access, Func<object, object, (string Target, string Detail)>? Audit = null, Func<object, string>? RefusalTarget = null);
