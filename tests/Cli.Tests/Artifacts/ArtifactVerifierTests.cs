using System.Security.Cryptography;
using System.Text;
using Farm.Cli.Artifacts;

namespace Farm.Cli.Tests.Artifacts;

public sealed class ArtifactVerifierTests
{
    private static readonly byte[] Archive = Encoding.ASCII.GetBytes("pretend this is a tar.gz of the site");
    private static readonly string Sha256 = Convert.ToHexStringLower(SHA256.HashData(Archive));

    [Fact]
    public void Contiguous_chunks_with_the_listed_hash_pass()
    {
        // Arrange
        using var verifier = new ArtifactVerifier("site", Archive.Length, Sha256.ToUpperInvariant());

        // Act
        verifier.Accept(0, Archive.AsSpan(0, 10));
        verifier.Accept(10, ReadOnlySpan<byte>.Empty);
        verifier.Accept(10, Archive.AsSpan(10));
        var hash = verifier.Finish();

        // Assert
        Assert.Equal(Sha256, hash);
        Assert.Equal(Archive.Length, verifier.Received);
    }

    [Fact]
    public void Empty_artifact_passes_with_the_hash_of_nothing()
    {
        using var verifier = new ArtifactVerifier("empty", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");

        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", verifier.Finish());
    }

    [Theory]
    [InlineData(12)]
    [InlineData(8)]
    [InlineData(0)]
    public void Chunk_not_starting_where_the_last_ended_is_refused(long offset)
    {
        using var verifier = new ArtifactVerifier("site", Archive.Length, Sha256);
        verifier.Accept(0, Archive.AsSpan(0, 10));

        var error = Assert.Throws<CliException>(() => verifier.Accept(offset, Archive.AsSpan(10)));

        Assert.Equal($"the download of artifact site broke: the controller sent bytes at offset {offset} where 10 was expected.", error.Message);
    }

    [Fact]
    public void First_chunk_not_at_zero_is_refused()
    {
        using var verifier = new ArtifactVerifier("site", Archive.Length, Sha256);

        var error = Assert.Throws<CliException>(() => verifier.Accept(5, Archive.AsSpan(5)));

        Assert.Contains("at offset 5 where 0 was expected", error.Message);
    }

    [Fact]
    public void Bytes_beyond_the_listed_size_are_refused()
    {
        using var verifier = new ArtifactVerifier("site", 4, Sha256);

        var error = Assert.Throws<CliException>(() => verifier.Accept(0, Archive.AsSpan(0, 5)));

        Assert.Equal("the download of artifact site is longer than the 4 bytes it was listed with.", error.Message);
    }

    [Fact]
    public void Download_ending_early_is_refused()
    {
        using var verifier = new ArtifactVerifier("site", Archive.Length, Sha256);
        verifier.Accept(0, Archive.AsSpan(0, 10));

        var error = Assert.Throws<CliException>(() => verifier.Finish());

        Assert.Equal($"the download of artifact site ended after 10 of its {Archive.Length} bytes.", error.Message);
    }

    [Fact]
    public void Bytes_with_another_hash_are_refused_naming_both()
    {
        var corrupt = (byte[])Archive.Clone();
        corrupt[3] ^= 0xFF;
        using var verifier = new ArtifactVerifier("site", Archive.Length, Sha256);
        verifier.Accept(0, corrupt);

        var error = Assert.Throws<CliException>(() => verifier.Finish());

        Assert.Equal(
            $"the download of artifact site is corrupt: its SHA-256 is {Convert.ToHexStringLower(SHA256.HashData(corrupt))}, not the {Sha256} it was stored with.",
            error.Message);
    }
}
