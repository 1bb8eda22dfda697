using Farm.Bench;

return await BenchCommand.RunAsync(args);
