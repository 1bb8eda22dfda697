using System.Security.Cryptography;

namespace Farm.Cli.Artifacts;

/// <summary>
/// Checks an artifact download as its chunks arrive: each chunk must start where the previous one
/// ended, and at the end the byte count and SHA-256 must equal what ListArtifacts reported. A
/// download that fails either check is not the artifact and must not be kept.
/// </summary>
/// <remarks>Pure apart from hashing: no I/O, so it is tested with hand-made chunks.</remarks>
internal sealed class ArtifactVerifier : IDisposable
{
    private readonly string _name;
    private readonly long _size;
    private readonly string _sha256;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    /// <param name="name">The artifact's name, for messages.</param>
    /// <param name="size">The archive's size as listed.</param>
    /// <param name="sha256">The archive's SHA-256 as listed, hex in either case.</param>
    public ArtifactVerifier(string name, long size, string sha256)
    {
        _name = name;
        _size = size;
        _sha256 = sha256.Trim().ToLowerInvariant();
    }

    /// <summary>How many bytes have been accepted: the offset the next chunk must start at.</summary>
    public long Received { get; private set; }

    /// <summary>Takes the next chunk into the hash.</summary>
    /// <exception cref="CliException">The chunk does not start where the previous one ended, or goes past the listed size.</exception>
    public void Accept(long offset, ReadOnlySpan<byte> data)
    {
        if (offset != Received)
        {
            throw new CliException(
                $"the download of artifact {_name} broke: the controller sent bytes at offset {offset} where {Received} was expected.");
        }

        if (Received + data.Length > _size)
        {
            throw new CliException(
                $"the download of artifact {_name} is longer than the {_size} bytes it was listed with.");
        }

        _hash.AppendData(data);
        Received += data.Length;
    }

    /// <summary>Checks that everything arrived and hashes to the listed SHA-256; returns that hash.</summary>
    /// <exception cref="CliException">Bytes are missing, or the hash differs.</exception>
    public string Finish()
    {
        if (Received != _size)
        {
            throw new CliException(
                $"the download of artifact {_name} ended after {Received} of its {_size} bytes.");
        }

        var actual = Convert.ToHexStringLower(_hash.GetHashAndReset());
        if (actual != _sha256)
        {
            throw new CliException(
                $"the download of artifact {_name} is corrupt: its SHA-256 is {actual}, not the {_sha256} it was stored with.");
        }

        return actual;
    }

    public void Dispose() => _hash.Dispose();
}
