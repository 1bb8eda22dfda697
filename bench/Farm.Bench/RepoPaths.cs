namespace Farm.Bench;

/// <summary>The repository this harness was built in, and the controller and agent built beside it.</summary>
public static class RepoPaths
{
    /// <summary>
    /// The folder holding Farm.sln, found upwards from this program's output folder; the working
    /// directory when there is none, so that a misplaced build fails on the missing controller, by name.
    /// </summary>
    public static string Root { get; } = FindRoot();

    /// <summary>Release or Debug: the controller and agent of the same configuration as this harness.</summary>
    private static string Configuration =>
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";

    public static string Controller => Locate("Controller", "farm-controller.dll");

    public static string Agent => Locate("Agent", "farm-agent.dll");

    private static string Locate(string project, string dll)
    {
        var path = Path.Combine(Root, "src", project, "bin", Configuration, "net10.0", dll);
        return File.Exists(path)
            ? path
            : throw new BenchException($"{path} is missing: build it first (bench/run.sh does, with -c {Configuration}).");
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Farm.sln")))
            {
                return dir.FullName;
            }
        }

        return Directory.GetCurrentDirectory();
    }
}
