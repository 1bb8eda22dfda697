using System.CommandLine;

namespace Farm.Agent.CommandLine;

/// <summary>
/// <c>farm-agent uninstall</c>: stops and disables the service where systemd runs (the agent drains
/// first), then removes its unit and settings. The work folder is kept and named.
/// </summary>
internal static class UninstallCommand
{
    public static Command Create(AgentMachine machine)
    {
        var config = new Option<string>("--config")
        {
            Description = $"The settings file to remove.",
            HelpName = "FILE",
            DefaultValueFactory = _ => InstallCommand.DefaultConfig,
        };
        var unitDir = new Option<string>("--unit-dir")
        {
            Description = $"The folder holding {SystemdUnit.Name}.",
            HelpName = "DIR",
            DefaultValueFactory = _ => InstallCommand.DefaultUnitFolder,
        };
        var noStop = new Option<bool>("--no-stop")
        {
            Description = "Remove the files only; do not run systemctl.",
        };
        var command = new Command("uninstall", "Stop and disable the farm-agent service, then remove its unit and settings.")
        {
            config, unitDir, noStop,
        };
        command.SetBody(async (parse, cancellation) =>
        {
            if (OperatingSystem.IsWindows())
            {
                throw new AgentCliException("'uninstall' manages a systemd service; it works on Linux only.");
            }

            await new ServiceInstaller(machine, parse.InvocationConfiguration.Output).UninstallAsync(
                Path.GetFullPath(parse.GetRequiredValue(config)), Path.GetFullPath(parse.GetRequiredValue(unitDir)),
                !parse.GetValue(noStop), cancellation);
            return AgentCommandLine.Succeeded;
        });
        return command;
    }
}
