using System.CommandLine;
using Farm.Agent.Attempts;
using Farm.Agent.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.Options;

namespace Farm.Agent.CommandLine;

/// <summary>
/// <c>farm-agent run [--config FILE]</c>: the agent in the foreground until SIGTERM or Ctrl-C, which
/// drain it. Settings, later ones winning: <c>appsettings.json</c> in the working directory, the
/// <c>--config</c> file, then <c>FARM__AGENT__*</c> environment variables; the drain grace from
/// <see cref="DrainOptions.GraceVariable"/>.
/// </summary>
internal static class RunCommand
{
    public static Command Create(AgentMachine machine)
    {
        var command = new Command("run", "Run the agent in the foreground (the default). SIGTERM or Ctrl-C drains it: "
            + $"no new work, running actions get the drain grace ({DrainOptions.GraceVariable}, default 00:10:00) to finish.");
        Attach(command, machine);
        return command;
    }

    /// <summary>Gives <paramref name="command"/> the <c>--config</c> option and the run action (the root command takes it too).</summary>
    public static void Attach(Command command, AgentMachine machine)
    {
        var config = new Option<string?>("--config", "-c")
        {
            Description = "A JSON settings file shaped {\"Farm\":{\"Agent\":{...}}}, as 'install' writes it.",
            HelpName = "FILE",
        };
        command.Options.Add(config);
        command.SetBody((parse, _) => RunAsync(parse.GetValue(config), machine, parse.InvocationConfiguration.Error));
    }

    private static async Task<int> RunAsync(string? configFile, AgentMachine machine, TextWriter error)
    {
        DrainOptions drain;
        try
        {
            drain = DrainOptions.FromEnvironment(machine.GetVariable);
        }
        catch (FormatException e)
        {
            throw new AgentCliException(e.Message);
        }

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [] });
        if (configFile is not null)
        {
            AddConfigFile(builder.Configuration, configFile);
        }

        builder.AddFarmAgent(drain);
        using var host = builder.Build();
        try
        {
            // Not the command line's token: SIGTERM reaches the host's console lifetime, which drains.
            await host.RunAsync();
        }
        catch (OptionsValidationException e)
        {
            var where = configFile is null ? "" : $" (settings: {Path.GetFullPath(configFile)}, FARM__AGENT__* variables)";
            await error.WriteLineAsync($"farm-agent: bad settings{where}: {string.Join(" ", e.Failures)}");
            return AgentCommandLine.Failed;
        }

        return AgentCommandLine.Succeeded;
    }

    /// <summary>Adds the file above appsettings.json and below the environment variables.</summary>
    private static void AddConfigFile(ConfigurationManager configuration, string configFile)
    {
        var path = Path.GetFullPath(configFile);
        if (!File.Exists(path))
        {
            throw new AgentCliException($"the config file {path} does not exist; write one with 'farm-agent install' or give another with --config.");
        }

        try
        {
            configuration.AddJsonFile(path, optional: false, reloadOnChange: false);
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or IOException or UnauthorizedAccessException)
        {
            throw new AgentCliException($"cannot read the config file {path}: {e.InnerException?.Message ?? e.Message}");
        }

        var sources = configuration.Sources;
        var file = sources[^1];
        var environment = sources.ToList().FindIndex(s => s is EnvironmentVariablesConfigurationSource { Prefix: null or "" });
        if (environment >= 0)
        {
            sources.RemoveAt(sources.Count - 1);
            sources.Insert(environment, file);
        }
    }
}
