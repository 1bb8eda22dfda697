using System.Globalization;
using System.Text;

namespace Farm.Cli.Commands;

/// <summary>Reads the pipeline file that <c>apply</c> and <c>validate</c> send to the controller.</summary>
internal static class PipelineFile
{
    /// <summary>The name shown in messages for standard input.</summary>
    public const string StandardInputName = "<stdin>";

    /// <summary>
    /// The largest file read: 1 MiB, the controller's limit on a pipeline file
    /// (<c>PipelinesService.MaxDefinitionBytes</c>), checked here first so a large file is refused
    /// without sending it, in the controller's words.
    /// </summary>
    public const int MaxBytes = 1 << 20;

    /// <summary>The name to prefix messages with: the path as typed, or <c>&lt;stdin&gt;</c>.</summary>
    public static string DisplayName(string path) => path == "-" ? StandardInputName : path;

    /// <summary>
    /// "The pipeline file is 1.3 MiB; the limit is 1 MiB.", the size to a tenth of a MiB; in bytes
    /// when a tenth would read as the limit itself.
    /// </summary>
    public static string TooLarge(long bytes)
    {
        var mebibytes = Math.Round(bytes / (double)(1 << 20), 1);
        return mebibytes > 1
            ? string.Create(CultureInfo.InvariantCulture, $"The pipeline file is {mebibytes:0.0} MiB; the limit is 1 MiB.")
            : $"The pipeline file is {bytes} bytes; the limit is 1 MiB ({1 << 20} bytes).";
    }

    /// <summary>Reads the whole file, or standard input for <c>-</c>.</summary>
    /// <exception cref="CliException">
    /// The file is missing, unreadable or over <see cref="MaxBytes"/>; the message says which and why.
    /// </exception>
    public static async Task<string> ReadAsync(string path, CancellationToken cancellation)
    {
        if (path == "-")
        {
            var input = await Console.In.ReadToEndAsync(cancellation);
            var bytes = Encoding.UTF8.GetByteCount(input);
            return bytes > MaxBytes ? throw new CliException($"{StandardInputName}: {TooLarge(bytes)}") : input;
        }

        try
        {
            // The size first, so a huge file is never read.
            var length = new FileInfo(path).Length;
            if (length > MaxBytes)
            {
                throw new CliException($"{path}: {TooLarge(length)}");
            }

            return await File.ReadAllTextAsync(path, cancellation);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new CliException($"{path}: no such file.");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"{path}: cannot read it: {e.Message}");
        }
    }
}
