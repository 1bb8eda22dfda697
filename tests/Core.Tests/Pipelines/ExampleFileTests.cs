using Farm.Core.Pipelines;

namespace Farm.Core.Tests.Pipelines;

/// <summary>The pipelines in examples/, which ./run.sh applies and the README shows, are valid.</summary>
public sealed class ExampleFileTests
{
    private static string ExamplesFolder
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Farm.sln")))
                {
                    return Path.Combine(dir.FullName, "examples");
                }
            }

            throw new InvalidOperationException($"No Farm.sln above {AppContext.BaseDirectory}.");
        }
    }

    [Theory]
    [InlineData("hello.yaml", "hello", 3)]
    [InlineData("ship.yaml", "ship", 5)]
    public void Example_parses_without_errors(string file, string name, int stages)
    {
        var result = PipelineParser.Parse(File.ReadAllText(Path.Combine(ExamplesFolder, file)));

        Assert.Empty(result.Errors);
        Assert.Equal((name, stages), (result.Pipeline!.Name, result.Pipeline.Stages.Count));
    }
}
