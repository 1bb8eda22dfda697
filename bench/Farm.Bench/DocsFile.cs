namespace Farm.Bench;

/// <summary>
/// Replaces the generated part of a markdown file, between two marker comments, and leaves the
/// hand-written rest alone. A file without markers gets them appended; a missing file is created.
/// </summary>
public static class DocsFile
{
    public const string Begin = "<!-- bench:begin: written by bench/Farm.Bench; edits up to bench:end are overwritten -->";
    public const string End = "<!-- bench:end -->";

    public static void Write(string path, string generated)
    {
        var text = File.Exists(path) ? File.ReadAllText(path) : "# Benchmarks\n";
        var block = $"{Begin}\n\n{generated.TrimEnd()}\n\n{End}";
        var begin = text.IndexOf(Begin, StringComparison.Ordinal);
        var end = text.IndexOf(End, StringComparison.Ordinal);
        text = begin >= 0 && end > begin
            ? text[..begin] + block + text[(end + End.Length)..]
            : text.TrimEnd() + "\n\n" + block + "\n";
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, text);
    }
}
