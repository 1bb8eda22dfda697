using System.Runtime.Versioning;
using System.Security.Cryptography;
using Farm.Controller.Artifacts;
using Farm.Controller.Hosting;
using Farm.Controller.Logs;
using Farm.Controller.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Farm.Controller.Tests.Hosting;

// File modes are what these tests are about; the controller's data folder on Windows has ACLs instead.
[UnsupportedOSPlatform("windows")]
public sealed class PrivateFilesTests : IDisposable
{
    private readonly string _parent = Directory.CreateTempSubdirectory("farm-modes-").FullName;

    /// <summary>Not there yet: the controller makes it.</summary>
    private string DataDir => Path.Combine(_parent, "data");

    /// <summary>Every folder and file under <paramref name="root"/>, the root included, as "path mode" for those not owner-only.</summary>
    private static List<string> NotOwnerOnly(string root) =>
        Directory.EnumerateFileSystemEntries(root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
            .Prepend(root)
            .Select(path => (path, mode: File.GetUnixFileMode(path), folder: Directory.Exists(path)))
            .Where(e => e.mode != (e.folder ? PrivateFiles.OwnerOnlyFolder : PrivateFiles.OwnerOnlyFile))
            .Select(e => $"{Path.GetRelativePath(root, e.path)} {Convert.ToString((int)e.mode, 8)}")
            .ToList();

    [Fact]
    public async Task Database_logs_and_artifacts_are_created_owner_only_under_a_new_data_folder()
    {
        var options = Options.Create(new ControllerOptions { DataDir = DataDir, MaxLogBytes = 16 });
        var logs = new LogStore(options);
        var artifacts = new ArtifactStore(options);
        var archive = RandomNumberGenerator.GetBytes(1000);
        var sha = Convert.ToHexStringLower(SHA256.HashData(archive));

        _ = new FarmDatabase(StoreSelection.Dialect(options.Value));
        await logs.AppendAsync("p-1.1", 0, "a log line past the sixteen-byte cap\n"u8.ToArray(), CancellationToken.None);
        await artifacts.AppendAsync(sha, archive.Length, 0, archive, CancellationToken.None);

        Assert.True(File.Exists(Path.Combine(DataDir, "farm.db")));
        Assert.True(File.Exists(Path.Combine(DataDir, "logs", "p-1", "p-1.1.log.meta")));
        Assert.True(File.Exists(Path.Combine(DataDir, "artifacts", "sha256", sha[..2], sha)));
        Assert.Empty(NotOwnerOnly(DataDir));
    }

    [Fact]
    public void Start_check_names_each_exposed_path_and_the_chmod_that_fixes_it()
    {
        Directory.CreateDirectory(DataDir, (UnixFileMode)0x1ED); // 0755, as an older controller left it
        var database = Path.Combine(DataDir, "farm.db");
        File.WriteAllText(database, "");
        File.SetUnixFileMode(database, (UnixFileMode)0x1A4); // 0644
        File.WriteAllText(Path.Combine(DataDir, "admin.token"), "");
        File.SetUnixFileMode(Path.Combine(DataDir, "admin.token"), PrivateFiles.OwnerOnlyFile);
        var logger = new ListLogger();

        new DataFolderCheck(Options.Create(new ControllerOptions { DataDir = DataDir }), logger).Warn();

        Assert.Equal(
            [
                $"{DataDir} can be read by other users of this machine (mode 0755); the controller's data folder holds the database, logs, artifacts, the secrets key and tokens. Run: chmod -R go-rwx '{DataDir}'",
                $"{database} can be read by other users of this machine (mode 0644); the controller's data folder holds the database, logs, artifacts, the secrets key and tokens. Run: chmod -R go-rwx '{DataDir}'",
            ],
            logger.Warnings);
    }

    [Fact]
    public void Start_check_is_silent_for_an_owner_only_data_folder()
    {
        PrivateFiles.CreateFolder(DataDir);
        PrivateFiles.Open(Path.Combine(DataDir, "farm.db"), FileMode.CreateNew, FileAccess.Write).Dispose();
        var logger = new ListLogger();

        new DataFolderCheck(Options.Create(new ControllerOptions { DataDir = DataDir }), logger).Warn();

        Assert.Empty(logger.Warnings);
        Assert.Empty(NotOwnerOnly(DataDir));
    }

    public void Dispose() => Directory.Delete(_parent, recursive: true);

    /// <summary>Keeps the warnings logged, formatted.</summary>
    private sealed class ListLogger : ILogger<DataFolderCheck>
    {
        public List<string> Warnings { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel == LogLevel.Warning)
            {
                Warnings.Add(formatter(state, exception));
            }
        }
    }
}
