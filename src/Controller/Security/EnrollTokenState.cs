namespace Farm.Controller.Security;

/// <summary>Whether an enrollment token enrolls an agent; when several reasons hold, the first one here wins.</summary>
public enum EnrollTokenState
{
    Working,
    Revoked,
    Expired,
    UsedUp,
}
