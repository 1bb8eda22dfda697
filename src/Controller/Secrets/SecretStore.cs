using System.Security.Cryptography;
using System.Text;
using Farm.Controller.Hosting;
using Farm.Controller.Storage;
using Microsoft.Extensions.Options;

namespace Farm.Controller.Secrets;

/// <summary>A secret's name and when it was set; values never leave the store but for dispatch.</summary>
public sealed record SecretInfo(string Name, DateTimeOffset UpdatedAt);

/// <summary>
/// Pipeline secrets, encrypted at rest with AES-256-GCM. The key is <c>SecretsKey</c> from the
/// configuration (base64 of 32 bytes) or, by default, a key file made once in the data folder (the
/// shared folder of a cluster),
/// readable by its owner only. The pipeline and secret names are the encryption's associated data,
/// so a ciphertext copied to another row does not decrypt. Thread-safe.
/// </summary>
public sealed class SecretStore
{
    private readonly FarmDatabase _database;
    private readonly byte[] _key;

    public SecretStore(FarmDatabase database, IOptions<ControllerOptions> options)
    {
        _database = database;
        _key = LoadKey(options.Value);
    }

    public async Task SetAsync(string pipeline, string name, string value, DateTimeOffset now)
    {
        var nonce = RandomNumberGenerator.GetBytes(AesGcm.NonceByteSizes.MaxSize);
        var plain = Encoding.UTF8.GetBytes(value);
        var cipher = new byte[plain.Length];
        var tag = new byte[AesGcm.TagByteSizes.MaxSize];
        using (var aes = new AesGcm(_key, tag.Length))
        {
            aes.Encrypt(nonce, plain, cipher, tag, Associated(pipeline, name));
        }

        await using var connection = await _database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = _database.Dialect.Upsert(
            "secrets", ["pipeline", "name"], ["pipeline", "name", "nonce", "ciphertext", "tag", "updated_at"],
            "nonce = excluded.nonce, ciphertext = excluded.ciphertext, tag = excluded.tag, updated_at = excluded.updated_at");
        command.Add("@pipeline", pipeline);
        command.Add("@name", name);
        command.Add("@nonce", nonce);
        command.Add("@ciphertext", cipher);
        command.Add("@tag", tag);
        command.Add("@updated_at", now.ToString("O"));
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>True when the secret existed.</summary>
    public async Task<bool> DeleteAsync(string pipeline, string name)
    {
        await using var connection = await _database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM secrets WHERE pipeline = @p AND name = @n;";
        command.Add("@p", pipeline);
        command.Add("@n", name);
        return await command.ExecuteNonQueryAsync() == 1;
    }

    public async Task<IReadOnlyList<SecretInfo>> ListAsync(string pipeline)
    {
        await using var connection = await _database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT name, updated_at FROM secrets WHERE pipeline = @p ORDER BY name;";
        command.Add("@p", pipeline);
        var list = new List<SecretInfo>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            list.Add(new SecretInfo(reader.GetString(0), DateTimeOffset.Parse(reader.GetString(1))));
        }

        return list;
    }

    /// <summary>Every secret of the pipeline, decrypted, by name; for dispatch only.</summary>
    public async Task<IReadOnlyDictionary<string, string>> ValuesAsync(string pipeline)
    {
        await using var connection = await _database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT name, nonce, ciphertext, tag FROM secrets WHERE pipeline = @p;";
        command.Add("@p", pipeline);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var name = reader.GetString(0);
            var nonce = (byte[])reader[1];
            var cipher = (byte[])reader[2];
            var tag = (byte[])reader[3];
            var plain = new byte[cipher.Length];
            using var aes = new AesGcm(_key, tag.Length);
            aes.Decrypt(nonce, cipher, tag, plain, Associated(pipeline, name));
            values[name] = Encoding.UTF8.GetString(plain);
        }

        return values;
    }

    private static byte[] Associated(string pipeline, string name) => Encoding.UTF8.GetBytes($"{pipeline}\n{name}");

    private static byte[] LoadKey(ControllerOptions options)
    {
        if (!string.IsNullOrEmpty(options.SecretsKey))
        {
            var configured = Convert.FromBase64String(options.SecretsKey);
            return configured.Length == 32
                ? configured
                : throw new InvalidOperationException($"{ControllerOptions.Section}:SecretsKey must be base64 of 32 bytes, not {configured.Length}.");
        }

        // In the shared folder of a cluster, so every controller encrypts with the same key.
        var path = Path.Combine(options.FilesDir, "secrets.key");
        if (File.Exists(path))
        {
            return Convert.FromBase64String(File.ReadAllText(path).Trim());
        }

        var key = RandomNumberGenerator.GetBytes(32);
        PrivateFiles.CreateFolder(Path.GetDirectoryName(path)!);
        try
        {
            using var file = PrivateFiles.Open(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
            using var writer = new StreamWriter(file);
            writer.Write(Convert.ToBase64String(key));
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another controller of the cluster made it first: use theirs.
            return Convert.FromBase64String(File.ReadAllText(path).Trim());
        }

        return key;
    }
}
