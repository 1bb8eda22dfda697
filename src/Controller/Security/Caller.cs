using Grpc.Core;

namespace Farm.Controller.Security;

/// <summary>
/// Who makes a call, for what the controller records (who started an execution, who approved, the
/// audit log). The identity is the token that admitted the call, set by <see cref="TokenInterceptor"/>;
/// the <c>farm-user</c> header the client declares (the CLI sends user@host) is kept only as detail:
/// <c>ci-bot (alice@host)</c>.
/// </summary>
public static class Caller
{
    public const string Header = "farm-user";

    private const string Key = "farm.caller";

    public static string Name(ServerCallContext context) =>
        Identity(context)?.Display ?? new CallerIdentity(CallerKind.Token, "anonymous", null, Declared(context)).Display;

    /// <summary>The identity the interceptor admitted; null for open methods (health, reflection).</summary>
    public static CallerIdentity? Identity(ServerCallContext context) =>
        context.UserState.TryGetValue(Key, out var identity) ? identity as CallerIdentity : null;

    internal static void Set(ServerCallContext context, CallerIdentity identity) => context.UserState[Key] = identity;

    /// <summary>The <c>farm-user</c> header, trimmed and at most 100 characters; null without one.</summary>
    public static string? Declared(ServerCallContext context)
    {
        var declared = context.RequestHeaders.GetValue(Header)?.Trim();
        return string.IsNullOrEmpty(declared) ? null : declared.Length > 100 ? declared[..100] : declared;
    }

    /// <summary>The bearer token of the call; null without an <c>authorization: Bearer</c> header.</summary>
    public static string? Bearer(ServerCallContext context)
    {
        var header = context.RequestHeaders.GetValue("authorization");
        return header is not null && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && header.Length > 7
            ? header[7..].Trim()
            : null;
    }
}
