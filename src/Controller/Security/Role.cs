namespace Farm.Controller.Security;

/// <summary>
/// What an API token may do. Not a ladder: <see cref="Operator"/> and <see cref="Approver"/> each add
/// to <see cref="Viewer"/> what the other lacks, so the one who ships is not the one who signs off.
/// </summary>
public enum Role
{
    /// <summary>Read-only calls.</summary>
    Viewer,

    /// <summary>Viewer, plus apply, validate, start, stop, retry, rollback, transitions and artifact downloads.</summary>
    Operator,

    /// <summary>
    /// Viewer, plus deciding approvals, and applying pipeline files, including changes to protected
    /// stages (approval gates), which an operator may not make.
    /// </summary>
    Approver,

    /// <summary>Everything: secrets, tokens, enrollment tokens, agents and the audit log too.</summary>
    Admin,
}
