namespace Farm.Controller.Security;

/// <summary>What kind of secret admitted a call.</summary>
public enum CallerKind
{
    /// <summary>An API token with a name and a role.</summary>
    Token,

    /// <summary>An agent's own credential.</summary>
    Agent,

    /// <summary>An enrollment token, on its way to becoming an agent credential.</summary>
    Enrollment,
}
