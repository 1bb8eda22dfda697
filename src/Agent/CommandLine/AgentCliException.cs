namespace Farm.Agent.CommandLine;

/// <summary>A failure a person can act on: printed as one <c>farm-agent: ...</c> line, exit code 1.</summary>
internal sealed class AgentCliException(string message) : Exception(message);
