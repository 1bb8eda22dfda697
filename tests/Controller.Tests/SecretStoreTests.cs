using System.Text;
using Farm.Controller.Hosting;
using Farm.Controller.Secrets;
using Farm.Controller.Storage;
using Microsoft.Extensions.Options;

namespace Farm.Controller.Tests;

public sealed class SecretStoreTests
{
    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task Secrets_are_encrypted_at_rest_listed_without_values_and_bound_to_their_pipeline_and_name()
    {
        var dir = Directory.CreateTempSubdirectory("farm-secrets-").FullName;
        var options = Options.Create(new ControllerOptions { DataDir = dir });
        var database = new SqliteDatabase(options);
        var store = new SecretStore(database, options);

        await store.SetAsync("p", "token", "correct-horse-battery", DateTimeOffset.UnixEpoch);
        await store.SetAsync("p", "token", "staple-2", DateTimeOffset.UnixEpoch.AddDays(1));
        await store.SetAsync("q", "other", "q-value", DateTimeOffset.UnixEpoch);
        var reopened = new SecretStore(database, options);
        var deleted = await store.DeleteAsync("q", "other");
        var deletedAgain = await store.DeleteAsync("q", "other");

        Assert.Equal(new Dictionary<string, string> { ["token"] = "staple-2" }, await reopened.ValuesAsync("p"));
        Assert.Equal([new SecretInfo("token", DateTimeOffset.UnixEpoch.AddDays(1))], await store.ListAsync("p"));
        Assert.Empty(await store.ValuesAsync("q"));
        Assert.True(deleted);
        Assert.False(deletedAgain);
        var bytes = await File.ReadAllBytesAsync(database.FilePath);
        Assert.DoesNotContain("staple-2", Encoding.UTF8.GetString(bytes));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(dir, "secrets.key")));
    }
}
