using Farm.Agent.CommandLine;

return await AgentCommandLine.Create().Parse(args).InvokeAsync(AgentCommandLine.Invocation());
