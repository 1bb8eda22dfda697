namespace Farm.Dashboard.Controller;

/// <summary>
/// Who is signed in and what the role lets them do, as the controller's access table decides it; the
/// pages offer only what is allowed here. The controller still checks every call.
/// </summary>
public sealed record UserAccess(string Name, string Role)
{
    /// <summary>Start, stop, retry, roll back, toggle transitions, download artifacts.</summary>
    public bool CanOperate => Role is "operator" or "admin";

    /// <summary>Approve or reject.</summary>
    public bool CanApprove => Role is "approver" or "admin";

    /// <summary>See and manage agents.</summary>
    public bool IsAdmin => Role == "admin";
}
