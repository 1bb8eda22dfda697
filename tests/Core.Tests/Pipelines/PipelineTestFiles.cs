namespace Farm.Core.Tests.Pipelines;

/// <summary>Builds small pipeline files around the part a test is about, at known lines.</summary>
internal static class PipelineTestFiles
{
    /// <summary>
    /// A pipeline named <c>app</c> with one stage <c>Source</c> holding <paramref name="actionYaml"/>
    /// (a YAML mapping written from column 1). Its first line is line 5, its keys start at column 9.
    /// </summary>
    public static string WithAction(string actionYaml)
    {
        var lines = actionYaml.Replace("\r\n", "\n").TrimEnd('\n').Split('\n');
        var indented = lines.Select((line, index) => (index == 0 ? "      - " : "        ") + line);
        return "name: app\nstages:\n  - name: Source\n    actions:\n" + string.Join("\n", indented) + "\n";
    }
}
