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

    /// <summary><c>-w/--wait</c>: follow the execution the verb started or changed, with progress on standard error.</summary>
    public static Option<bool> Wait(string outcome) => new("--wait", "-w")
    {
        Description = $"Follow the execution, showing progress on standard error; exit 0 only if it {outcome}.",
    };

    /// <summary>The <c>EXECUTION</c> argument: an execution's id.</summary>
    public static Argument<string> Execution() => new("EXECUTION") { Description = "The execution's id, such as build-12." };

    /// <summary>The <c>PIPELINE</c> argument: a pipeline's name.</summary>
    public static Argument<string> Pipeline() => new("PIPELINE") { Description = "The pipeline's name." };

    /// <summary>The <c>STAGE</c> argument: a stage's name, as the pipeline file spells it.</summary>
    public static Argument<string> Stage(string description) => new("STAGE") { Description = description };
}
