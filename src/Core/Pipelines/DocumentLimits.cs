using System.Globalization;

namespace Farm.Core.Pipelines;

/// <summary>
/// How large and how deep a document Farm reads may be: a pipeline file, an imported CodePipeline
/// declaration. Each limit is far above anything a person writes, and each is checked while the
/// document is read, before anything walks it, so a hostile file costs bounded time and stack.
/// </summary>
/// <remarks>
/// A pipeline file is at most a few hundred values ten levels deep. Without these limits, 5,000
/// nested '[' overflowed the stack of the process reading them, and seven levels of aliases, each
/// repeating the one before six times, cost seconds of CPU.
/// </remarks>
public static class DocumentLimits
{
    /// <summary>The largest document, in UTF-8 bytes: 1 MiB.</summary>
    public const int MaxBytes = 1 << 20;

    /// <summary>
    /// How deeply lists and mappings (JSON arrays and objects) may nest: 64, System.Text.Json's own
    /// default. A pipeline file needs about ten.
    /// </summary>
    public const int MaxDepth = 64;

    /// <summary>
    /// The most values (mappings, lists and scalars, keys included) a YAML document may hold once every
    /// alias is replaced by the value it repeats: 100,000. A large pipeline holds a few thousand.
    /// </summary>
    public const int MaxNodes = 100_000;

    /// <summary>
    /// The most problems listed for one file: 100, and a last line saying how many more there are.
    /// A file of 100,000 wrong list items would otherwise answer with megabytes of errors, past what a
    /// gRPC client takes in the status of a refused call.
    /// </summary>
    public const int MaxErrors = 100;

    /// <summary>
    /// "The pipeline file is 1.3 MiB; the limit is 1 MiB.", the size to a tenth of a MiB; in bytes
    /// when a tenth would read as the limit itself.
    /// </summary>
    public static string TooLarge(long bytes)
    {
        var mebibytes = Math.Round(bytes / (double)(1 << 20), 1);
        return mebibytes > 1
            ? string.Create(CultureInfo.InvariantCulture, $"The pipeline file is {mebibytes:0.0} MiB; the limit is 1 MiB.")
            : $"The pipeline file is {bytes} bytes; the limit is 1 MiB ({MaxBytes} bytes).";
    }
}
