using System.CommandLine;
using System.Text.RegularExpressions;
using Farm.Agent.Attempts;

namespace Farm.Agent.CommandLine;

/// <summary>
/// <c>farm-agent install --controller URL --enroll-token TOKEN ...</c>: makes this machine a build
/// machine of the fleet: writes the agent's settings and a systemd unit that runs this very
/// program, then enables and starts it (unless <c>--no-start</c>, or systemd does not run here).
/// </summary>
internal static partial class InstallCommand
{
    public const string DefaultConfig = "/etc/farm-agent/agent.json";
    public const string DefaultUnitFolder = "/etc/systemd/system";
    public const string DefaultWorkDir = "/var/lib/farm-agent";

    public static Command Create(AgentMachine machine)
    {
        var controller = new Option<string>("--controller")
        {
            Description = "The controller's gRPC address, e.g. https://farm.example.com:7070; a cluster's controllers separated by commas.",
            HelpName = "URL",
            Required = true,
        };
        controller.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string>() is { } value && !IsControllerAddress(value))
            {
                result.AddError($"--controller '{value}' is not an http:// or https:// address such as https://farm.example.com:7070, or several of one scheme separated by commas.");
            }
        });
        var token = new Option<string>("--enroll-token")
        {
            Description = "The enroll token from 'farm enroll-token create'; stored in the config file, readable by root only.",
            HelpName = "TOKEN",
            Required = true,
        };
        token.Validators.Add(result =>
        {
            if (string.IsNullOrWhiteSpace(result.GetValueOrDefault<string>()))
            {
                result.AddError("--enroll-token must not be empty; create one with 'farm enroll-token create'.");
            }
        });
        var labels = new Option<string[]>("--labels")
        {
            Description = "Labels actions select with runsOn, separated by commas; a word (linux) or key=value (env=staging). Repeatable.",
            HelpName = "LABEL,...",
        };
        labels.Validators.Add(result =>
        {
            foreach (var label in SplitLabels(result.Tokens.Select(t => t.Value)))
            {
                if (!LabelPattern().IsMatch(label))
                {
                    result.AddError($"--labels: '{label}' is not a label; use 1-100 letters, digits, '-', '_', '.', '=', ':' or '/', e.g. linux or env=staging.");
                }
            }
        });
        var slots = new Option<int>("--slots")
        {
            Description = "Actions this machine runs at once (1 to 1000).",
            HelpName = "N",
            DefaultValueFactory = _ => 2,
        };
        slots.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 1 or > 1000)
            {
                result.AddError("--slots must be 1 to 1000.");
            }
        });
        var workDir = new Option<string>("--work-dir")
        {
            Description = $"Folder for workspaces, log spools and the artifact cache.",
            HelpName = "DIR",
            DefaultValueFactory = _ => DefaultWorkDir,
        };
        var config = new Option<string>("--config")
        {
            Description = $"Where to write the settings.",
            HelpName = "FILE",
            DefaultValueFactory = _ => DefaultConfig,
        };
        var unitDir = new Option<string>("--unit-dir")
        {
            Description = $"Where to write {SystemdUnit.Name}.",
            HelpName = "DIR",
            DefaultValueFactory = _ => DefaultUnitFolder,
        };
        var noStart = new Option<bool>("--no-start")
        {
            Description = "Write the files only; do not run systemctl.",
        };
        var command = new Command("install",
            "Install the agent as the systemd service farm-agent: write its settings and unit, then enable and start it. "
            + $"The unit's stop timeout is the drain grace ({DrainOptions.GraceVariable}, default 00:10:00) plus 30 s.")
        {
            controller, token, labels, slots, workDir, config, unitDir, noStart,
        };
        command.SetBody(async (parse, cancellation) =>
        {
            if (OperatingSystem.IsWindows())
            {
                throw new AgentCliException("'install' manages a systemd service; it works on Linux only.");
            }

            DrainOptions drain;
            try
            {
                drain = DrainOptions.FromEnvironment(machine.GetVariable);
            }
            catch (FormatException e)
            {
                throw new AgentCliException(e.Message);
            }

            var configFile = Path.GetFullPath(parse.GetRequiredValue(config));
            var configText = AgentConfigFile.Render(
                parse.GetRequiredValue(controller).Trim(),
                parse.GetRequiredValue(token).Trim(),
                SplitLabels(parse.GetValue(labels) ?? []),
                parse.GetValue(slots),
                Path.GetFullPath(parse.GetRequiredValue(workDir)));
            var isDotnetHost = machine.AgentCommand.Count > 1;
            var unitText = SystemdUnit.Render(machine.AgentCommand, configFile, drain,
                isDotnetHost ? null : machine.GetVariable("DOTNET_ROOT"));
            await new ServiceInstaller(machine, parse.InvocationConfiguration.Output).InstallAsync(
                configFile, configText, Path.GetFullPath(parse.GetRequiredValue(unitDir)), unitText, !parse.GetValue(noStart), cancellation);
            return AgentCommandLine.Succeeded;
        });
        return command;
    }

    /// <summary>Labels as given, split at commas, blanks dropped, each kept once in first-seen order.</summary>
    public static IReadOnlyList<string> SplitLabels(IEnumerable<string> values) =>
        values.SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            .Distinct(StringComparer.Ordinal)
            .ToList();

    private static bool IsControllerAddress(string value)
    {
        try
        {
            Farm.Api.Client.ControllerChannel.ParseAddresses(value, "--controller", "https://farm.example.com:7070");
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    // The controller's rule for labels in runsOn (src/Core PipelineParser), so every label can be selected.
    [GeneratedRegex("^[A-Za-z0-9_.=:/-]{1,100}$", RegexOptions.CultureInvariant)]
    private static partial Regex LabelPattern();
}
