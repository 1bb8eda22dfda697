using System.Text;
using Farm.Controller.Hosting;
using Farm.Controller.Secrets;
using Farm.Controller.Storage;
using Farm.Controller.Storage.Dialects;
using Farm.Controller.Tests.Storage;
using Microsoft.Extensions.Options;

namespace Farm.Controller.Tests;

public sealed class SecretStoreTests
{
    [Theory]
    [MemberData(nameof(TestStores.All), MemberType = typeof(TestStores))]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task Secrets_are_encrypted_at_rest_listed_without_values_and_bound_to_their_pipeline_and_name(string store)
    {
        var dir = Directory.CreateTempSubdirectory("farm-secrets-").FullName;
        var options = Options.Create(new ControllerOptions { DataDir = dir });
        var database = TestStores.Create(store);
        var secrets = new SecretStore(database, options);

        await secrets.SetAsync("p", "token", "correct-horse-battery", DateTimeOffset.UnixEpoch);
        await secrets.SetAsync("p", "token", "staple-2", DateTimeOffset.UnixEpoch.AddDays(1));
        await secrets.SetAsync("q", "other", "q-value", DateTimeOffset.UnixEpoch);
        var reopened = new SecretStore(database, options);
        var deleted = await secrets.DeleteAsync("q", "other");
        var deletedAgain = await secrets.DeleteAsync("q", "other");

        Assert.Equal(new Dictionary<string, string> { ["token"] = "staple-2" }, await reopened.ValuesAsync("p"));
        Assert.Equal([new SecretInfo("token", DateTimeOffset.UnixEpoch.AddDays(1))], await secrets.ListAsync("p"));
        Assert.Empty(await secrets.ValuesAsync("q"));
        Assert.True(deleted);
        Assert.False(deletedAgain);
        Assert.DoesNotContain("staple-2", Encoding.UTF8.GetString(await StoredCiphertextAsync(database)));
        if (database.Dialect is SqliteDialect sqlite)
        {
            Assert.DoesNotContain("staple-2", Encoding.UTF8.GetString(await File.ReadAllBytesAsync(sqlite.FilePath)));
        }

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(dir, "secrets.key")));
    }

    private static async Task<byte[]> StoredCiphertextAsync(FarmDatabase database)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT ciphertext FROM secrets WHERE pipeline = 'p';";
        return (byte[])(await command.ExecuteScalarAsync())!;
    }
}
