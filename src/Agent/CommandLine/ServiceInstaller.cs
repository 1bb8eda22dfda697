using CliWrap;
using CliWrap.Buffered;

namespace Farm.Agent.CommandLine;

/// <summary>
/// Writes and removes the agent's two files (its settings, mode 0600 since they hold the enroll
/// token, and its systemd unit, mode 0644) and asks systemctl to start or stop the service where
/// systemd runs and the unit sits in a folder it reads. Checks it can write every target folder
/// before it changes anything, so a refused install leaves nothing half done. Linux only, as systemd is.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
internal sealed class ServiceInstaller(AgentMachine machine, TextWriter output)
{
    private const UnixFileMode ConfigMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private const UnixFileMode UnitMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private const UnixFileMode FolderMode = UnitMode | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    public async Task InstallAsync(string configFile, string configText, string unitFolder, string unitText, bool start, CancellationToken cancellationToken)
    {
        var unitFile = Path.Combine(unitFolder, SystemdUnit.Name);
        EnsureWritable(Path.GetDirectoryName(configFile)!, "--config");
        EnsureWritable(unitFolder, "--unit-dir");

        var replaced = File.Exists(configFile) || File.Exists(unitFile);
        WriteFile(configFile, configText, ConfigMode);
        WriteFile(unitFile, unitText, UnitMode);
        await output.WriteLineAsync($"{(replaced ? "Replaced" : "Wrote")} {configFile} (mode 0600: it holds the enroll token)");
        await output.WriteLineAsync($"{(replaced ? "Replaced" : "Wrote")} {unitFile}");

        if (!start)
        {
            await output.WriteLineAsync(Managed(unitFolder)
                ? "Not started (--no-start). Start it with: systemctl daemon-reload && systemctl enable --now farm-agent"
                : NotManagedAdvice(unitFile, configFile));
            return;
        }

        if (!Managed(unitFolder))
        {
            await output.WriteLineAsync(NotManagedAdvice(unitFile, configFile));
            return;
        }

        await SystemctlAsync(["daemon-reload"], cancellationToken);
        await SystemctlAsync(["enable", "--now", SystemdUnit.Name], cancellationToken);
        await output.WriteLineAsync("Started farm-agent and enabled it at boot. Follow it with: journalctl -u farm-agent -f");
    }

    public async Task UninstallAsync(string configFile, string unitFolder, bool stop, CancellationToken cancellationToken)
    {
        var unitFile = Path.Combine(unitFolder, SystemdUnit.Name);
        var present = new[] { unitFile, configFile }.Where(File.Exists).ToList();
        if (present.Count == 0)
        {
            await output.WriteLineAsync($"Nothing to remove: neither {unitFile} nor {configFile} exists.");
            return;
        }

        foreach (var file in present)
        {
            EnsureWritable(Path.GetDirectoryName(file)!, file == unitFile ? "--unit-dir" : "--config");
        }

        var workDir = File.Exists(configFile) ? AgentConfigFile.ReadWorkDir(configFile) : null;
        var managed = stop && File.Exists(unitFile) && Managed(unitFolder);
        if (managed)
        {
            await output.WriteLineAsync("Stopping farm-agent; running actions get its drain grace to finish…");
            await output.FlushAsync(cancellationToken);
            await SystemctlAsync(["disable", "--now", SystemdUnit.Name], cancellationToken);
        }

        foreach (var file in present)
        {
            File.Delete(file);
            await output.WriteLineAsync($"Removed {file}");
        }

        if (managed)
        {
            await SystemctlAsync(["daemon-reload"], cancellationToken);
        }

        if (workDir is not null && Directory.Exists(workDir))
        {
            await output.WriteLineAsync($"Kept the work folder {workDir} (workspaces, log spools, artifact cache); delete it with: rm -rf {workDir}");
        }
    }

    /// <summary>True when systemctl can act on a unit in <paramref name="unitFolder"/>: systemd runs and reads that folder.</summary>
    private bool Managed(string unitFolder) =>
        machine.SystemdRunning && SystemdUnit.SystemFolders.Contains(Path.TrimEndingDirectorySeparator(unitFolder), StringComparer.Ordinal);

    private string NotManagedAdvice(string unitFile, string configFile)
    {
        var run = string.Join(" ", machine.AgentCommand.Concat(["run", "--config", configFile]).Select(SystemdUnit.Quote));
        return machine.SystemdRunning
            ? $"systemd does not read {Path.GetDirectoryName(unitFile)}; copy {unitFile} to /etc/systemd/system, then run: "
              + "systemctl daemon-reload && systemctl enable --now farm-agent"
            : $"systemd does not run here, so nothing was started; run the agent with: {run}";
    }

    /// <summary>
    /// Throws, naming the folder and the option that chose it, when this process cannot create files
    /// in <paramref name="folder"/> (or, when it does not exist yet, in the nearest folder above it).
    /// </summary>
    private static void EnsureWritable(string folder, string option)
    {
        var existing = Path.GetFullPath(folder);
        while (!Directory.Exists(existing))
        {
            existing = Path.GetDirectoryName(existing)
                ?? throw new AgentCliException($"{folder} has no existing folder above it.");
        }

        var probe = Path.Combine(existing, $".farm-agent-probe-{Environment.ProcessId}");
        try
        {
            using (File.Create(probe, 1, FileOptions.DeleteOnClose))
            {
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var root = Environment.IsPrivilegedProcess ? "" : "run it as root (sudo farm-agent …), or ";
            throw new AgentCliException($"cannot write to {existing} ({e.Message}); {root}choose a folder you can write with {option}.");
        }
    }

    /// <summary>Writes through a temporary file created with <paramref name="mode"/> and renamed over the target, so no reader sees half a file or a wider mode.</summary>
    private static void WriteFile(string path, string text, UnixFileMode mode)
    {
        var folder = Path.GetDirectoryName(path)!;
        if (!Directory.Exists(folder))
        {
            Directory.CreateDirectory(folder, FolderMode);
        }

        var temporary = Path.Combine(folder, $".{Path.GetFileName(path)}.{Environment.ProcessId}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, new FileStreamOptions
                   {
                       Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = mode,
                   }))
            using (var writer = new StreamWriter(stream))
            {
                writer.Write(text);
            }

            // The umask may have narrowed the mode; set it exactly.
            File.SetUnixFileMode(temporary, mode);
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private static async Task SystemctlAsync(string[] arguments, CancellationToken cancellationToken)
    {
        BufferedCommandResult result;
        try
        {
            result = await Cli.Wrap("systemctl").WithArguments(arguments).WithValidation(CommandResultValidation.None)
                .ExecuteBufferedAsync(cancellationToken);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new AgentCliException($"cannot run systemctl: {e.Message}");
        }

        if (result.ExitCode != 0)
        {
            throw new AgentCliException(
                $"'systemctl {string.Join(" ", arguments)}' failed with exit code {result.ExitCode}: {result.StandardError.Trim()}");
        }
    }
}
