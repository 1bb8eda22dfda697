using Farm.Cli.Commands;

namespace Farm.Cli.Tests.Import;

public sealed class ImportCommandTests
{
    [Fact]
    public void Import_codepipeline_takes_a_file_and_an_output()
    {
        var parse = FarmCommandLine.Create().Parse(["import", "codepipeline", "pipeline.json", "-o", "pipeline.yaml"]);

        Assert.Empty(parse.Errors);
        Assert.Equal("pipeline.json", parse.GetValue<string>("FILE"));
        Assert.Equal("pipeline.yaml", parse.GetValue<string?>("--output"));
    }

    [Fact]
    public async Task Writes_yaml_on_stdout_and_notes_on_stderr_and_exits_0()
    {
        var (output, error) = (new StringWriter(), new StringWriter());

        var exit = await ImportCommand.RunAsync(Sample.PathOf("full.json"), null, output, error, CancellationToken.None);

        Assert.Equal(0, exit);
        Assert.StartsWith("# Imported from AWS CodePipeline 'web@prod'", output.ToString());
        Assert.Contains("Deploy/Stack: CloudFormation (Deploy) has no Farm equivalent; written as a failing container action to fill in\n",
            error.ToString().ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task Output_option_writes_the_file_and_keeps_stdout_empty()
    {
        var target = Path.Combine(Path.GetTempPath(), $"farm-import-{Guid.NewGuid():N}.yaml");
        var (output, error) = (new StringWriter(), new StringWriter());
        try
        {
            var exit = await ImportCommand.RunAsync(Sample.PathOf("bare.json"), target, output, error, CancellationToken.None);

            Assert.Equal(0, exit);
            Assert.Equal("", output.ToString());
            Assert.Contains("name: 'bare'", await File.ReadAllTextAsync(target));
            Assert.Contains($"wrote {target} (0 notes)", error.ToString());
        }
        finally
        {
            File.Delete(target);
        }
    }

    [Fact]
    public async Task Unreadable_json_exits_1_naming_file_and_line()
    {
        var source = Path.Combine(Path.GetTempPath(), $"farm-import-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(source, "{\n  \"pipeline\": {\n    \"name\": \"p\",,\n  }\n}");
        var (output, error) = (new StringWriter(), new StringWriter());
        try
        {
            var exit = await ImportCommand.RunAsync(source, null, output, error, CancellationToken.None);

            Assert.Equal(1, exit);
            Assert.Equal("", output.ToString());
            Assert.StartsWith($"{source}:3: $.pipeline", error.ToString());
        }
        finally
        {
            File.Delete(source);
        }
    }

    [Fact]
    public async Task Missing_file_exits_1_with_one_line()
    {
        var (output, error) = (new StringWriter(), new StringWriter());

        var exit = await ImportCommand.RunAsync("no-such-pipeline.json", null, output, error, CancellationToken.None);

        Assert.Equal(1, exit);
        Assert.Equal("farm: no-such-pipeline.json: no such file.", error.ToString().Trim());
    }
}
