using Farm.Agent.Executors;
using Microsoft.Extensions.Options;

namespace Farm.Agent.Hosting;

/// <summary>
/// Refuses, at start, a <see cref="AgentOptions.DockerHost"/> that no client could use (a unix socket
/// path over the kernel's 107 bytes, an unknown scheme), with a sentence that names the setting, the
/// path and the limit. An engine that is merely down is not refused: the agent starts, says so, and
/// runs what needs no engine (<see cref="EngineMonitor"/>).
/// </summary>
public sealed class DockerHostValidation : IValidateOptions<AgentOptions>
{
    public const string Setting = $"{AgentOptions.Section}:DockerHost (or DOCKER_HOST)";

    public ValidateOptionsResult Validate(string? name, AgentOptions options) =>
        DockerEndpoint.Problem(options.DockerHost, Setting) is { } problem
            ? ValidateOptionsResult.Fail(problem)
            : ValidateOptionsResult.Success;
}
