namespace Farm.Agent.CommandLine;

/// <summary>
/// What the command line learns from the machine it runs on, in one place so tests can give their
/// own: how to start this very agent again, the environment, and whether systemd runs.
/// </summary>
/// <param name="AgentCommand">The program and arguments that start this agent (before the verb).</param>
/// <param name="GetVariable">Reads an environment variable.</param>
/// <param name="SystemdRunning">True when systemd is the init system (<c>/run/systemd/system</c> exists).</param>
internal sealed record AgentMachine(IReadOnlyList<string> AgentCommand, Func<string, string?> GetVariable, bool SystemdRunning)
{
    /// <summary>This process, as it runs.</summary>
    public static AgentMachine Current { get; } = new(
        // Not Assembly.Location, which is empty in a single-file publish; the dll sits in the base folder otherwise.
        ResolveAgentCommand(Environment.ProcessPath, Path.Combine(AppContext.BaseDirectory, typeof(AgentMachine).Assembly.GetName().Name + ".dll")),
        Environment.GetEnvironmentVariable,
        Directory.Exists("/run/systemd/system"));

    /// <summary>
    /// <c>dotnet /opt/farm-agent/farm-agent.dll</c> when the agent runs through the dotnet host,
    /// else the executable itself (the apphost, or a single-file publish, whose assembly has no path).
    /// </summary>
    public static IReadOnlyList<string> ResolveAgentCommand(string? processPath, string? assemblyPath)
    {
        if (string.IsNullOrEmpty(processPath))
        {
            throw new AgentCliException("cannot tell where this farm-agent program is (no process path); run it by its full path.");
        }

        var isDotnetHost = Path.GetFileNameWithoutExtension(processPath).Equals("dotnet", StringComparison.OrdinalIgnoreCase);
        return isDotnetHost && !string.IsNullOrEmpty(assemblyPath)
            ? [Path.GetFullPath(processPath), Path.GetFullPath(assemblyPath)]
            : [Path.GetFullPath(processPath)];
    }
}
