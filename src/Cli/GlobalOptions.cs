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
}
