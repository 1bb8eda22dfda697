using System.Text;
using Farm.Agent.Hosting;
using Farm.Api.V1;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace Farm.Agent.Enrollment;

/// <summary>
/// The agent's own credential (<c>agent.ID.SECRET</c>), kept in <c>credential</c> in the work folder
/// with owner-only permissions. On first use without that file, the agent enrolls: it sends its
/// <see cref="AgentOptions.EnrollToken"/> to <c>AgentSessions.Enroll</c> and stores what comes back.
/// Thread-safe; enrolls at most once at a time. A refused enrollment throws the controller's
/// <see cref="RpcException"/> (UNAUTHENTICATED, PERMISSION_DENIED), which the session loop reports
/// and retries slowly.
/// </summary>
public sealed partial class AgentCredential(
    IOptions<AgentOptions> options,
    AgentSessions.AgentSessionsClient client,
    ILogger<AgentCredential> logger)
{
    public const string FileName = "credential";

    private readonly Lock _lock = new();
    private string? _credential;

    public string FilePath => Path.Combine(Path.GetFullPath(options.Value.WorkDir), FileName);

    /// <summary>The credential: from memory, else the file, else by enrolling now (a blocking call, once).</summary>
    public string Get()
    {
        lock (_lock)
        {
            if (_credential is not null)
            {
                return _credential;
            }

            if (File.Exists(FilePath))
            {
                _credential = File.ReadAllText(FilePath, Encoding.UTF8).Trim();
                WarnIfExposed();
                return _credential;
            }

            if (string.IsNullOrWhiteSpace(options.Value.EnrollToken))
            {
                throw new RpcException(new Status(StatusCode.Unauthenticated,
                    $"This agent has no credential ({FilePath}) and no enrollment token: create one with `farm enroll-token create` "
                    + $"and set {AgentOptions.Section}:EnrollToken (Farm__Agent__EnrollToken)."));
            }

            var headers = new Metadata { { "authorization", "Bearer " + options.Value.EnrollToken.Trim() } };
            var response = client.Enroll(new EnrollRequest { AgentId = options.Value.AgentId }, new CallOptions(headers, DateTime.UtcNow.AddSeconds(30)));
            Write(response.Credential);
            _credential = response.Credential;
            LogEnrolled(options.Value.AgentId, FilePath);
            return _credential;
        }
    }

    /// <summary>
    /// Warns when others can read the work folder or the credential: a folder made by hand or by an
    /// older agent. With the folder at 0700, the log spool, the artifact cache and the workspaces
    /// below it are out of their reach too (containers see their bind mounts, not the folders above).
    /// </summary>
    private void WarnIfExposed()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        foreach (var (path, owner) in (ReadOnlySpan<(string, string)>)[(Path.GetDirectoryName(FilePath)!, "700"), (FilePath, "600")])
        {
            var mode = File.GetUnixFileMode(path);
            if ((mode & OthersMask) != 0)
            {
                LogExposed(path, Convert.ToString((int)mode, 8).PadLeft(4, '0'), $"chmod {owner} '{path}'");
            }
        }
    }

    private void Write(string credential)
    {
        var folder = Path.GetDirectoryName(FilePath)!;
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
        }
        else
        {
            // Owner-only: it holds the credential, the log spool and the artifact cache.
            Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var temporary = FilePath + ".new";
        File.Delete(temporary);
        var create = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            // Owner-only from the moment it exists.
            create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var file = new FileStream(temporary, create))
        using (var writer = new StreamWriter(file))
        {
            writer.Write(credential + "\n");
        }

        File.Move(temporary, FilePath, overwrite: true);
    }

    /// <summary>The bits that let someone other than the owner in: 0077.</summary>
    private const UnixFileMode OthersMask = (UnixFileMode)0x3F;

    [LoggerMessage(EventId = 2501, Level = LogLevel.Warning,
        Message = "{Path} can be read by other users of this machine (mode {Mode}); it holds the agent's credential or its work. Run: {Fix}")]
    private partial void LogExposed(string path, string mode, string fix);

    [LoggerMessage(EventId = 2500, Level = LogLevel.Information, Message = "Enrolled as {AgentId}; the credential is in {Path}")]
    private partial void LogEnrolled(string agentId, string path);
}
