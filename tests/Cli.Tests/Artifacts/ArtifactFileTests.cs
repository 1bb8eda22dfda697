using Farm.Cli.Artifacts;

namespace Farm.Cli.Tests.Artifacts;

public sealed class ArtifactFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("farm-artifact-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Committed_download_replaces_the_file_and_leaves_no_part()
    {
        // Arrange
        var path = Path.Combine(_directory, "site.tar.gz");
        await File.WriteAllTextAsync(path, "old");

        // Act
        await using (var file = ArtifactFile.Create(path))
        {
            await file.Stream.WriteAsync("new bytes"u8.ToArray());
            Assert.Equal("old", await File.ReadAllTextAsync(path));
            await file.CommitAsync(CancellationToken.None);
        }

        // Assert
        Assert.Equal("new bytes", await File.ReadAllTextAsync(path));
        Assert.False(File.Exists(path + ".part"));
    }

    [Fact]
    public async Task Failed_download_deletes_the_part_and_leaves_the_file_alone()
    {
        // Arrange
        var path = Path.Combine(_directory, "site.tar.gz");
        await File.WriteAllTextAsync(path, "old");

        // Act
        await using (var file = ArtifactFile.Create(path))
        {
            await file.Stream.WriteAsync("half"u8.ToArray());
            Assert.True(File.Exists(path + ".part"));
        }

        // Assert
        Assert.Equal("old", await File.ReadAllTextAsync(path));
        Assert.False(File.Exists(path + ".part"));
    }

    [Fact]
    public void File_in_a_missing_directory_is_refused_naming_it()
    {
        var path = Path.Combine(_directory, "missing", "site.tar.gz");

        var error = Assert.Throws<CliException>(() => ArtifactFile.Create(path));

        Assert.StartsWith($"{path}: cannot write it:", error.Message);
    }
}
