using Farm.Controller.Pipelines;
using Farm.Core.Executions;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace Farm.Controller.Tests.Hosting;

/// <summary>
/// What a grain call inside one silo copies: an execution (immutable) crosses as itself, other
/// Core types are still copied, and a stored pipeline version is parsed once.
/// </summary>
public sealed class GrainCopyTests
{
    private const string Source = """
        name: copy
        stages:
          - name: build
            actions:
              - name: compile
                type: shell
                commands: ["true"]
        """;

    [Fact]
    public async Task An_execution_crosses_a_grain_call_uncopied_and_other_core_types_are_copied()
    {
        await using var cluster = await GrainCluster.StartAsync();
        var copier = cluster.SiloServices.GetRequiredService<DeepCopier>();
        var run = ExecutionMachine.Create("copy-1", StoredSource.Definition(Source), 1, new Dictionary<string, string>(), DateTimeOffset.UnixEpoch);
        var source = new PinnedSource("build", "checkout", "https://git.example/app.git", "main", "0123abcd");

        var copiedRun = copier.Copy(run);
        var copiedSource = copier.Copy(source);

        Assert.Same(run, copiedRun);
        Assert.NotSame(source, copiedSource);
        Assert.Equal(source, copiedSource);
    }

    [Fact]
    public void A_stored_version_is_parsed_once_and_one_that_no_longer_parses_says_why()
    {
        var first = StoredSource.Definition(Source);
        var second = StoredSource.Definition(Source);

        var broken = Assert.Throws<InvalidOperationException>(() => StoredSource.Definition("name: copy\nstages: []\n"));

        Assert.Same(first, second);
        Assert.Equal("build", Assert.Single(first.Stages).Name);
        Assert.StartsWith("A stored pipeline version no longer parses: ", broken.Message);
    }
}
