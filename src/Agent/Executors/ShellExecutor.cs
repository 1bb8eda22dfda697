using CliWrap;

namespace Farm.Agent.Executors;

/// <summary>
/// Runs the commands on the agent's host with <c>/bin/sh -c</c> through CliWrap, in the attempt's
/// workspace, with the agent's environment plus the action's. Cancelling kills the process tree.
/// </summary>
public sealed class ShellExecutor : IActionExecutor
{
    public async Task<ExecutorResult> RunAsync(AttemptContext context, CancellationToken cancellationToken)
    {
        var stdout = context.Output.CreateWriter();
        var stderr = context.Output.CreateWriter();
        var command = Cli.Wrap("/bin/sh")
            .WithArguments(["-c", context.Script])
            .WithWorkingDirectory(context.Workspace)
            .WithEnvironmentVariables(context.Environment.ToDictionary(e => e.Key, e => (string?)e.Value))
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
}
