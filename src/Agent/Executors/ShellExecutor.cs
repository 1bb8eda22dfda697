using System.Collections;
using CliWrap;
using Farm.Agent.Hosting;
using Microsoft.Extensions.Options;

namespace Farm.Agent.Executors;

/// <summary>
/// Runs the commands on the agent's host with <c>/bin/sh -c</c> through CliWrap, in the attempt's
/// workspace, with the agent's environment plus the action's, less what belongs to the agent alone
/// (<see cref="HostVariablesToRemove"/>): its settings and anything holding its enrollment token or
/// credential. Cancelling kills the process tree.
/// </summary>
public sealed class ShellExecutor(IOptions<AgentOptions> options) : IActionExecutor
{
    public async Task<ExecutorResult> RunAsync(AttemptContext context, CancellationToken cancellationToken)
    {
        var environment = HostVariablesToRemove(Environment.GetEnvironmentVariables(), options.Value)
            .ToDictionary(name => name, _ => (string?)null, StringComparer.Ordinal);
        foreach (var (name, value) in context.Environment)
        {
            environment[name] = value;
        }

        var stdout = context.Output.CreateWriter();
        var stderr = context.Output.CreateWriter();
        var command = Cli.Wrap("/bin/sh")
            .WithArguments(["-c", context.Script])
            .WithWorkingDirectory(context.Workspace)
            .WithEnvironmentVariables(environment)
            .WithValidation(CommandResultValidation.None)
            .WithStandardOutputPipe(PipeTarget.Create((stream, ct) => stdout.CopyFromAsync(stream, ct)))
            .WithStandardErrorPipe(PipeTarget.Create((stream, ct) => stderr.CopyFromAsync(stream, ct)));
        try
        {
            var result = await command.ExecuteAsync(cancellationToken);
            return ExecutorResult.FromExitCode(result.ExitCode);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return ExecutorResult.Failed($"could not start /bin/sh: {e.Message}");
        }
    }

    /// <summary>
    /// The names of the agent's own variables that a shell action must not inherit: every Farm setting
    /// (<c>Farm__Agent__EnrollToken</c> and the rest, in any case, also as <c>Farm:…</c> and with the
    /// <c>DOTNET_</c> prefix .NET's host also reads), and any variable whose value holds the
    /// enrollment token or a credential of this agent (<c>agent.ID.…</c>). The commands run as the
    /// agent's user, so this keeps the secrets out of the environment, not out of the files that
    /// user may read (docs/security.md says which).
    /// </summary>
    public static IEnumerable<string> HostVariablesToRemove(IDictionary inherited, AgentOptions options)
    {
        var credentialPrefix = $"agent.{options.AgentId}.";
        var enrollToken = string.IsNullOrWhiteSpace(options.EnrollToken) ? null : options.EnrollToken.Trim();
        foreach (DictionaryEntry entry in inherited)
        {
            if (entry.Key is not string name)
            {
                continue;
            }

            var value = entry.Value as string ?? "";
            if (IsFarmSetting(name)
                || value.Contains(credentialPrefix, StringComparison.Ordinal)
                || (enrollToken is not null && value.Contains(enrollToken, StringComparison.Ordinal)))
            {
                yield return name;
            }
        }
    }

    private static bool IsFarmSetting(string name)
    {
        var unprefixed = name.StartsWith("DOTNET_", StringComparison.OrdinalIgnoreCase) ? name["DOTNET_".Length..] : name;
        return unprefixed.StartsWith("Farm__", StringComparison.OrdinalIgnoreCase) || unprefixed.StartsWith("Farm:", StringComparison.OrdinalIgnoreCase);
    }
}
