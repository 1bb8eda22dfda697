using System.Runtime.Versioning;
using Farm.Agent.Enrollment;
using Farm.Agent.Hosting;
using Farm.Api.V1;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Farm.Agent.Tests.Enrollment;

[UnsupportedOSPlatform("windows")]
public sealed class AgentCredentialTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("farm-credential-").FullName;

    private string WorkDir => Path.Combine(_dir, "work");

    /// <summary>The credential of a work folder that already holds one; the controller is never called.</summary>
    private string Read(ListLogger logger)
    {
        using var channel = GrpcChannel.ForAddress("http://127.0.0.1:9");
        var credential = new AgentCredential(
            Options.Create(new AgentOptions { WorkDir = WorkDir, AgentId = "a1" }), new AgentSessions.AgentSessionsClient(channel), logger);
        return credential.Get();
    }

    [Fact]
    public void Credential_readable_by_others_is_used_with_a_warning_naming_the_chmod()
    {
        Directory.CreateDirectory(WorkDir, (UnixFileMode)0x1ED); // 0755
        var file = Path.Combine(WorkDir, AgentCredential.FileName);
        File.WriteAllText(file, "agent.a1.secret\n");
        File.SetUnixFileMode(file, (UnixFileMode)0x1A4); // 0644
        var logger = new ListLogger();

        Assert.Equal("agent.a1.secret", Read(logger));
        Assert.Equal(
            [
                $"{WorkDir} can be read by other users of this machine (mode 0755); it holds the agent's credential or its work. Run: chmod 700 '{WorkDir}'",
                $"{file} can be read by other users of this machine (mode 0644); it holds the agent's credential or its work. Run: chmod 600 '{file}'",
            ],
            logger.Warnings);
    }

    [Fact]
    public void Owner_only_credential_is_used_without_a_warning()
    {
        Directory.CreateDirectory(WorkDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var file = Path.Combine(WorkDir, AgentCredential.FileName);
        File.WriteAllText(file, "agent.a1.secret\n");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var logger = new ListLogger();

        Assert.Equal("agent.a1.secret", Read(logger));
        Assert.Empty(logger.Warnings);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Keeps the warnings logged, formatted.</summary>
    private sealed class ListLogger : ILogger<AgentCredential>
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
