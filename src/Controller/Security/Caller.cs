using Grpc.Core;

namespace Farm.Controller.Security;

/// <summary>
/// Who makes a call, for what the controller records (who started an execution, who approved).
/// Until named tokens exist, it is the name the client declares in the <c>farm-user</c> header
/// (the CLI sends the user and host it runs as) and "anonymous" without one; the bearer token, when
/// configured, is what actually admits the call.
/// </summary>
public static class Caller
{
    public const string Header = "farm-user";

    public static string Name(ServerCallContext context)
    {
        var declared = context.RequestHeaders.GetValue(Header)?.Trim();
        return string.IsNullOrEmpty(declared) ? "anonymous" : declared.Length > 100 ? declared[..100] : declared;
    }
}
