using Farm.Cli;

return await FarmCommandLine.Create().Parse(args).InvokeAsync();
