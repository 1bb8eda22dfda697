using Microsoft.Extensions.Options;

namespace Farm.Controller.Hosting;

/// <summary>
/// At start, warns about each part of the data folder (and the shared folder) that other users of
/// the machine can read: folders made before the controller created them owner-only, or changed
/// since. The controller does not change modes itself: the operator may have meant them.
/// </summary>
public sealed partial class DataFolderCheck(IOptions<ControllerOptions> options, ILogger<DataFolderCheck> logger)
{
    /// <summary>At most this many paths are named; a folder made by an older controller has many.</summary>
    private const int MaxNamed = 10;

    public void Warn()
    {
        var roots = new[] { Path.GetFullPath(options.Value.DataDir), options.Value.FilesDir }.Distinct(StringComparer.Ordinal);
        foreach (var root in roots)
        {
            var exposed = PrivateFiles.Exposed(root);
            foreach (var (path, mode) in exposed.Take(MaxNamed))
            {
                LogExposed(path, Convert.ToString((int)mode, 8).PadLeft(4, '0'), root);
            }
        }
    }

    [LoggerMessage(EventId = 1880, Level = LogLevel.Warning,
        Message = "{Path} can be read by other users of this machine (mode {Mode}); the controller's data folder holds the database, logs, artifacts, the secrets key and tokens. Run: chmod -R go-rwx '{Root}'")]
    private partial void LogExposed(string path, string mode, string root);
}
