using Farm.Api.V1;
using Farm.Cli.Commands;

namespace Farm.Cli.Tests.Commands;

public sealed class ArtifactCommandTests
{
    private static ListArtifactsResponse Listed()
    {
        var listed = new ListArtifactsResponse();
        listed.Artifacts.Add(new Artifact { Name = "site", Sha256 = "0123456789abcdef0123", Size = 1536, Stage = "Build", Action = "pack" });
        listed.Artifacts.Add(new Artifact { Name = "report", Sha256 = "fedcba9876543210fedc", Size = 200, Stage = "Test", Action = "unit", FromExecutionId = "hello-2" });
        return listed;
    }

    [Fact]
    public void Find_returns_the_named_artifact()
    {
        var artifact = ArtifactCommand.Find(Listed(), "hello-4", "report");

        Assert.Equal("fedcba9876543210fedc", artifact.Sha256);
        Assert.Equal(200, artifact.Size);
    }

    [Fact]
    public void Find_of_an_unknown_name_lists_the_artifacts()
    {
        var error = Assert.Throws<CliException>(() => ArtifactCommand.Find(Listed(), "hello-4", "logs"));

        Assert.Equal("execution hello-4 has no artifact 'logs'; its artifacts are site, report.", error.Message);
    }

    [Fact]
    public void Find_in_an_execution_without_artifacts_says_so()
    {
        var error = Assert.Throws<CliException>(() => ArtifactCommand.Find(new ListArtifactsResponse(), "hello-4", "site"));

        Assert.Equal("execution hello-4 has no artifacts.", error.Message);
    }

    [Fact]
    public void Table_shows_size_short_hash_producer_and_origin()
    {
        Assert.Equal(
            "NAME    SIZE     SHA256        STAGE/ACTION  FROM\n"
            + "site    1.5 KiB  0123456789ab  Build/pack    -\n"
            + "report  200 B    fedcba987654  Test/unit     hello-2\n",
            ArtifactsCommand.Table(Listed()));
    }
}
