using Farm.Controller.Hosting;
using Microsoft.Extensions.Options;

namespace Farm.Controller.Security;

/// <summary>
/// Makes sure someone can administer the controller: at start, when no working admin token exists
/// (the first start, or every admin token was revoked), makes one named <c>admin</c> (<c>admin-2</c>...
/// when the name is taken), writes it to <c>admin.token</c> in the data folder, readable by its owner
/// only, and logs where it is. Whoever can read the data folder controls the controller anyway, so the
/// file gives nobody more than they had.
/// </summary>
public sealed partial class AdminTokenBootstrap(
    TokenStore tokens,
    TimeProvider time,
    IOptions<ControllerOptions> options,
    ILogger<AdminTokenBootstrap> logger)
{
    public const string FileName = "admin.token";

    public string FilePath => Path.Combine(Path.GetFullPath(options.Value.DataDir), FileName);

    public async Task EnsureAdminTokenAsync()
    {
        if (await tokens.HasWorkingAdminAsync())
        {
            return;
        }

        for (var n = 1; ; n++)
        {
            var name = n == 1 ? "admin" : $"admin-{n}";
            if (await tokens.CreateAsync(name, Role.Admin, "controller", time.GetUtcNow()) is { } created)
            {
                Write(created.Token);
                LogCreated(name, FilePath);
                return;
            }
        }
    }

    private void Write(string token)
    {
        PrivateFiles.CreateFolder(Path.GetDirectoryName(FilePath)!);
        File.Delete(FilePath);
        using var file = PrivateFiles.Open(FilePath, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        using var writer = new StreamWriter(file);
        writer.Write(token + "\n");
    }

    [LoggerMessage(EventId = 1702, Level = LogLevel.Warning,
        Message = "Created the admin token '{Name}' in {Path} (readable by this user only). Send it as FARM_TOKEN; ./farm in this checkout uses .farm/admin.token by itself")]
    private partial void LogCreated(string name, string path);
}
