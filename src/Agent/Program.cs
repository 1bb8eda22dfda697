using Farm.Agent.Hosting;

var builder = Host.CreateApplicationBuilder(args);
builder.AddFarmAgent();
await builder.Build().RunAsync();
