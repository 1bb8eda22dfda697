namespace Farm.Controller.Security;

/// <summary>Roles by their names in the API and the store: <c>viewer</c>, <c>operator</c>, <c>approver</c>, <c>admin</c>.</summary>
public static class Roles
{
    public static string Name(Role role) => role.ToString().ToLowerInvariant();

    public static Role? Parse(string? name) => name?.Trim().ToLowerInvariant() switch
    {
        "viewer" => Role.Viewer,
        "operator" => Role.Operator,
        "approver" => Role.Approver,
        "admin" => Role.Admin,
        _ => null,
    };

    public const string Names = "viewer, operator, approver or admin";
}
