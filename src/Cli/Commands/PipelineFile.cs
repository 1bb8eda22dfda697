namespace Farm.Cli.Commands;

/// <summary>Reads the pipeline file that <c>apply</c> and <c>validate</c> send to the controller.</summary>
internal static class PipelineFile
{
    /// <summary>The name shown in messages for standard input.</summary>
    public const string StandardInputName = "<stdin>";

    /// <summary>The name to prefix messages with: the path as typed, or <c>&lt;stdin&gt;</c>.</summary>
    public static string DisplayName(string path) => path == "-" ? StandardInputName : path;

    /// <summary>Reads the whole file, or standard input for <c>-</c>.</summary>
    /// <exception cref="CliException">The file is missing or unreadable; the message says which and why.</exception>
    public static async Task<string> ReadAsync(string path, CancellationToken cancellation)
    {
        if (path == "-")
        {
            return await Console.In.ReadToEndAsync(cancellation);
        }

        try
        {
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
