namespace Farm.Cli;

/// <summary>
/// A problem the person at the terminal can fix (a missing file, a malformed argument). Verbs throw it
/// and the shared command action prints only its message, without a stack trace, and exits 1.
/// </summary>
internal sealed class CliException(string message) : Exception(message);
