using System.Security.Cryptography;
using Farm.Controller.Artifacts;
using Farm.Controller.Hosting;
using Microsoft.Extensions.Options;

namespace Farm.Controller.Tests;

public sealed class ArtifactStoreTests : IDisposable
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("farm-artifacts-").FullName;
    private readonly ArtifactStore _store;
    private readonly byte[] _archive = RandomNumberGenerator.GetBytes(200_000);
    private readonly string _sha;

    public ArtifactStoreTests()
    {
        _store = new ArtifactStore(Options.Create(new ControllerOptions { DataDir = _dataDir }));
        _sha = Convert.ToHexStringLower(SHA256.HashData(_archive));
    }

    private Task<(bool Complete, long Stored)> AppendAsync(long offset, int length, string? sha = null, long? size = null) =>
        _store.AppendAsync(sha ?? _sha, size ?? _archive.Length, offset, _archive.AsMemory((int)offset, length), CancellationToken.None);

    private string FinalPath => Path.Combine(_dataDir, "artifacts", "sha256", _sha[..2], _sha);

    [Fact]
    public async Task An_interrupted_upload_resumes_from_what_is_stored_and_is_kept_once_verified()
    {
        Assert.Equal((false, 0L), _store.Stored(_sha));

        Assert.Equal((false, 65_536L), await AppendAsync(0, 65_536));
        Assert.Equal((false, 65_536L), _store.Stored(_sha));
        Assert.True(File.Exists(FinalPath + ".part"));
        Assert.Null(_store.OpenRead(_sha));

        Assert.Equal((true, 200_000L), await AppendAsync(65_536, 200_000 - 65_536));

        Assert.Equal((true, 200_000L), _store.Stored(_sha));
        Assert.False(File.Exists(FinalPath + ".part"));
        Assert.Equal(_archive, await File.ReadAllBytesAsync(FinalPath));
        await using var read = _store.OpenRead(_sha)!;
        using var copy = new MemoryStream();
        await read.CopyToAsync(copy);
        Assert.Equal(_archive, copy.ToArray());
    }

    [Fact]
    public async Task Resent_bytes_are_stored_once_and_a_complete_archive_ignores_more()
    {
        await AppendAsync(0, 100_000);

        Assert.Equal((false, 100_000L), await AppendAsync(0, 100_000));
        Assert.Equal((false, 150_000L), await AppendAsync(50_000, 100_000));
        Assert.Equal((true, 200_000L), await AppendAsync(120_000, 80_000));
        Assert.Equal((true, 200_000L), await AppendAsync(0, 10));
        Assert.Equal(_archive, await File.ReadAllBytesAsync(FinalPath));
    }

    [Fact]
    public async Task A_chunk_that_would_leave_a_gap_is_refused()
    {
        await AppendAsync(0, 1_000);

        var gap = await Assert.ThrowsAsync<ArtifactUploadException>(() => AppendAsync(1_001, 10));

        Assert.Equal($"Chunk of archive {_sha} starts at byte 1001, but 1000 bytes are stored: resend from 1000.", gap.Message);
        Assert.Equal((false, 1_000L), _store.Stored(_sha));
    }

    [Fact]
    public async Task A_chunk_past_the_declared_size_is_refused()
    {
        var error = await Assert.ThrowsAsync<ArtifactUploadException>(() => AppendAsync(0, 200_000, size: 100_000));

        Assert.Equal($"Chunk of archive {_sha} at bytes 0..200000 lies outside its declared size of 100000 bytes.", error.Message);
        Assert.Equal((false, 0L), _store.Stored(_sha));
    }

    [Fact]
    public async Task An_archive_that_does_not_match_its_hash_is_deleted_and_refused()
    {
        var wrongSha = new string('a', 64);

        await AppendAsync(0, 100_000, sha: wrongSha);
        var error = await Assert.ThrowsAsync<ArtifactUploadException>(() => AppendAsync(100_000, 100_000, sha: wrongSha));

        Assert.Equal($"The archive uploaded as {wrongSha} does not match its sha256 (its content hashes to {_sha}); upload it again.", error.Message);
        Assert.Equal((false, 0L), _store.Stored(wrongSha));
        Assert.Null(_store.OpenRead(wrongSha));
        Assert.False(File.Exists(Path.Combine(_dataDir, "artifacts", "sha256", "aa", wrongSha + ".part")));
    }

    [Fact]
    public async Task Concurrent_uploads_of_the_same_archive_store_it_once()
    {
        var uploads = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            var (complete, stored) = _store.Stored(_sha);
            while (!complete)
            {
                (complete, stored) = await AppendAsync(stored, (int)Math.Min(16_384, _archive.Length - stored));
            }
        }));

        await Task.WhenAll(uploads).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal((true, 200_000L), _store.Stored(_sha));
        Assert.Equal(_archive, await File.ReadAllBytesAsync(FinalPath));
    }

    [Theory]
    [InlineData("")]
    [InlineData("ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef0123456789")]
    [InlineData("abc")]
    [InlineData("../../../../etc/passwd/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    public async Task Names_other_than_64_lower_case_hex_digits_are_refused(string sha)
    {
        Assert.False(ArtifactStore.IsSha256(sha));
        Assert.Throws<ArgumentException>(() => _store.Stored(sha));
        Assert.Throws<ArgumentException>(() => _store.OpenRead(sha));
        await Assert.ThrowsAsync<ArgumentException>(() => _store.AppendAsync(sha, 1, 0, new byte[1], CancellationToken.None));
    }

    public void Dispose() => Directory.Delete(_dataDir, recursive: true);
}
