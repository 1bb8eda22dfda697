namespace Farm.Cli.Tests.Import;

/// <summary>The CodePipeline declarations under Samples/, copied beside the test assembly.</summary>
internal static class Sample
{
    public static string PathOf(string name) => Path.Combine(AppContext.BaseDirectory, "Import", "Samples", name);

    public static string Read(string name) => File.ReadAllText(PathOf(name));
}
