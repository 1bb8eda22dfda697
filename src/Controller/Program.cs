using Farm.Controller.Hosting;

if (MigrationsCommand.TryRun(args, Console.Out, Console.Error) is { } exitCode)
{
    return exitCode;
}

var builder = WebApplication.CreateBuilder(args);
builder.AddFarmController();

var app = builder.Build();
app.MapFarmController();
app.Run();
return 0;
