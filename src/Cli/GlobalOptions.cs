using System.CommandLine;

namespace Farm.Cli;

/// <summary>Options every verb accepts, declared once so all verbs resolve them the same way.</summary>
internal static class GlobalOptions
{
    /// <summary>
    /// The controller's address. Recursive so it may follow the verb (<c>farm status X --controller URL</c>),
    /// which is where people type it when they repeat a command against another controller.
    /// </summary>
    public static Option<string?> Controller { get; } = new("--controller")
    {
        Description = $"The controller's gRPC address (default: ${ControllerConnection.AddressVariable}, else {ControllerConnection.DefaultAddress}). "
            + $"When ${ControllerConnection.TokenVariable} is set, every call sends it as a bearer token. "
            + $"The controller records the token's name as who started or approved, with ${ControllerConnection.UserVariable} (else user@host) beside it.",
        HelpName = "URL",
        Recursive = true,
    };

    /// <summary>The CA an https:// controller's certificate must chain to. Recursive, like <see cref="Controller"/>.</summary>
    public static Option<string?> CaCertificate { get; } = new("--ca-cert")
    {
        Description = $"PEM file of the CA that signed an https:// controller's certificate (default: ${ControllerConnection.CaCertificateVariable}, else the system's trust store).",
        HelpName = "FILE",
        Recursive = true,
    };
}
