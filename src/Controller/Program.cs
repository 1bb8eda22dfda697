using Farm.Controller.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddFarmController();

var app = builder.Build();
app.MapFarmController();
app.Run();
