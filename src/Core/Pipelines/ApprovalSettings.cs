namespace Farm.Core.Pipelines;

/// <summary>The fields of an <see cref="ActionType.Approval"/> action; its wait is bounded by the action's timeout (default 7 days).</summary>
/// <param name="Message">What the approver is asked; may hold <c>#{...}</c> references.</param>
/// <param name="ReviewUrl">A page to review before deciding; may hold references.</param>
public sealed record ApprovalSettings(string? Message, string? ReviewUrl)
{
    /// <summary>How long an approval waits when its action sets no timeout.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromDays(7);
}
