namespace Farm.Controller.Security;

/// <summary>
/// An enrolled agent as the store keeps it. <see cref="Labels"/> are the controller-side labels
/// (null when none are set): when present, dispatch uses exactly those instead of <see cref="ClaimedLabels"/>.
/// </summary>
public sealed record AgentRecord(
    string AgentId,
    DateTimeOffset EnrolledAt,
    string EnrolledWith,
    DateTimeOffset? RevokedAt,
    DateTimeOffset? DrainedAt,
    string[]? Labels,
    string[] ClaimedLabels,
    int Slots,
    string Version,
    DateTimeOffset? LastSeen)
{
    /// <summary>The labels dispatch matches against.</summary>
    public string[] EffectiveLabels => Labels ?? ClaimedLabels;
}
