namespace Farm.Bench;

/// <summary>
/// Like <see cref="DocsFile"/>, for a named generated section (<c>bench:NAME:begin</c> …
/// <c>bench:NAME:end</c>), so each suite replaces its own results and leaves the others alone.
/// A file without the section's markers gets them appended.
/// </summary>
public static class DocsSection
{
    public static string Begin(string name) =>
        $"<!-- bench:{name}:begin: written by bench/Farm.Bench --suite {name}; edits up to bench:{name}:end are overwritten -->";

    public static string End(string name) => $"<!-- bench:{name}:end -->";

    public static void Write(string path, string name, string generated)
    {
        var text = File.Exists(path) ? File.ReadAllText(path) : "# Benchmarks\n";
        var block = $"{Begin(name)}\n\n{generated.TrimEnd()}\n\n{End(name)}";
        var begin = text.IndexOf(Begin(name), StringComparison.Ordinal);
        var end = text.IndexOf(End(name), StringComparison.Ordinal);
        text = begin >= 0 && end > begin
            ? text[..begin] + block + text[(end + End(name).Length)..]
            : text.TrimEnd() + "\n\n" + block + "\n";
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, text);
    }
}
