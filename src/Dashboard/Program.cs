using Farm.Dashboard.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddFarmDashboard();

var app = builder.Build();
app.MapFarmDashboard();
app.Run();
