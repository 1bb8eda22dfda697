using System.CommandLine;

namespace Farm.Cli.Commands;

/// <summary>Options several verbs share; created per verb because an option belongs to one command.</summary>
internal static class CommonOptions
{
    /// <summary><c>--json</c>: the API message as protobuf JSON, a stable form for scripts.</summary>
    public static Option<bool> Json() => new("--json")
    {
        Description = "Print the result as JSON (protobuf JSON mapping, default values included) for scripts.",
    };

    /// <summary><c>-f/--file</c>: a pipeline file, or <c>-</c> for standard input.</summary>
    public static Option<string> PipelineFile() => new("--file", "-f")
    {
        Description = "The pipeline file (YAML); - reads standard input.",
        HelpName = "FILE",
        Required = true,
    };
}
