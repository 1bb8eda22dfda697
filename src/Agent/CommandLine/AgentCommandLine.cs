using System.CommandLine;

namespace Farm.Agent.CommandLine;

/// <summary>
/// The <c>farm-agent</c> command line: <c>run</c> (also with no verb), <c>install</c> and
/// <c>uninstall</c>. Built in one place so <c>Program.cs</c> stays a line and tests parse
/// arguments exactly as the program does.
/// </summary>
internal static class AgentCommandLine
{
    public const int Succeeded = 0;
    public const int Failed = 1;

    /// <summary>
    /// How to invoke: System.CommandLine must not handle SIGTERM itself (it would end the process
    /// two seconds later); the host's console lifetime does, and drains.
    /// </summary>
    public static InvocationConfiguration Invocation(TextWriter? output = null, TextWriter? error = null)
    {
        var configuration = new InvocationConfiguration { ProcessTerminationTimeout = null };
        if (output is not null)
        {
            configuration.Output = output;
        }

        if (error is not null)
        {
            configuration.Error = error;
        }

        return configuration;
    }

    public static RootCommand Create(AgentMachine? machine = null)
    {
        machine ??= AgentMachine.Current;
        var root = new RootCommand(
            "farm-agent: runs pipeline actions for a Farm controller on this machine. With no verb, the same as 'run'.")
        {
            RunCommand.Create(machine),
            InstallCommand.Create(machine),
            UninstallCommand.Create(machine),
        };
        RunCommand.Attach(root, machine);
        return root;
    }

    /// <summary>Runs a verb's body, turning an <see cref="AgentCliException"/> into one line on stderr and exit code 1.</summary>
    public static void SetBody(this Command command, Func<ParseResult, CancellationToken, Task<int>> body) =>
        command.SetAction(async (parse, cancellation) =>
        {
            try
            {
                return await body(parse, cancellation);
            }
            catch (AgentCliException e)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync("farm-agent: " + e.Message);
                return Failed;
            }
        });
}
