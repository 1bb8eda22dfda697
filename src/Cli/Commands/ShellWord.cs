using System.Text.RegularExpressions;

namespace Farm.Cli.Commands;

/// <summary>Quotes a word for a POSIX shell, for the commands the tool suggests people run next.</summary>
internal static partial class ShellWord
{
    [GeneratedRegex(@"^[A-Za-z0-9_./:=@+,%-]+$")]
    private static partial Regex Plain();

    /// <summary>The word as is when the shell would read it unchanged, else in single quotes.</summary>
    public static string Quote(string word) =>
        Plain().IsMatch(word) ? word : "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
