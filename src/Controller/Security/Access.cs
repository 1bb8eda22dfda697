namespace Farm.Controller.Security;

/// <summary>What a gRPC method needs from its caller; <see cref="AccessTable"/> names one per method.</summary>
public enum Access
{
    /// <summary>Any API token: viewer, operator, approver or admin.</summary>
    Viewer,

    /// <summary>An operator or admin token.</summary>
    Operator,

    /// <summary>An approver or admin token.</summary>
    Approver,

    /// <summary>
    /// An operator, approver or admin token: validating and applying pipeline files. Approvers apply
    /// too because only they (and admins) may change protected stages; the pipeline grain checks that.
    /// </summary>
    OperatorOrApprover,

    /// <summary>An admin token.</summary>
    Admin,

    /// <summary>An agent credential, <c>agent.ID.SECRET</c>.</summary>
    Agent,

    /// <summary>An enrollment token (AgentSessions.Enroll only).</summary>
    Enrollment,
}
