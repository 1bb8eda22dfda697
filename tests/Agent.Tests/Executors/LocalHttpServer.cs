using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Farm.Agent.Tests.Executors;

/// <summary>
/// A real Kestrel server on 127.0.0.1 and a free port, for the HTTP executor's tests:
/// <list type="bullet">
/// <item><c>/echo?status=N</c> answers N (200 by default) with JSON of the request's method, query,
/// X-Token and Content-Type headers and body, and an <c>X-Request-Id: req-42</c> header;</item>
/// <item><c>/json</c> answers <see cref="Json"/>, spread over lines;</item>
/// <item><c>/status/N</c> answers N with the text "nope";</item>
/// <item><c>/big</c> answers <see cref="BigBytes"/> bytes of text;</item>
/// <item><c>/hop/N</c> redirects to <c>/hop/N-1</c>, and <c>/hop/0</c> answers "arrived".</item>
/// </list>
/// </summary>
public sealed class LocalHttpServer : IAsyncDisposable
{
    public const int BigBytes = 100 * 1024;

    public const string Json = """
        {
          "data": {
            "items": [
              { "id": 7, "name": "first" },
              { "id": "b2", "price": 1.50, "ok": true, "none": null, "tags": [ "x", "y<z" ], "owner": { "name": "Zoë" } }
            ]
          }
        }
        """;

    private readonly WebApplication _app;

    private LocalHttpServer(WebApplication app, string address)
    {
        _app = app;
        Address = address;
    }

    /// <summary>Like <c>http://127.0.0.1:40123</c>.</summary>
    public string Address { get; }

    public static async Task<LocalHttpServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();

        app.Map("/echo", async (HttpContext http) =>
        {
            var body = await new StreamReader(http.Request.Body, Encoding.UTF8).ReadToEndAsync();
            http.Response.StatusCode = int.TryParse(http.Request.Query["status"], out var status) ? status : 200;
            http.Response.Headers["X-Request-Id"] = "req-42";
            http.Response.ContentType = "application/json";
            await http.Response.WriteAsync(Echo(http.Request.Method, http.Request.QueryString.Value ?? "",
                http.Request.Headers["X-Token"].ToString(), http.Request.ContentType ?? "", body));
        });
        app.MapGet("/json", () => Results.Text(Json, "application/json"));
        app.MapGet("/status/{code:int}", (int code) => Results.Text("nope", "text/plain", statusCode: code));
        app.MapGet("/big", () => Results.Text(new string('a', BigBytes), "text/plain"));
        app.MapGet("/hop/{n:int}", (int n) => n == 0 ? Results.Text("arrived", "text/plain") : Results.Redirect($"/hop/{n - 1}"));

        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new LocalHttpServer(app, address);
    }

    /// <summary>What <c>/echo</c> answers for a request.</summary>
    public static string Echo(string method, string query, string token, string contentType, string body) =>
        JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["method"] = method,
            ["query"] = query,
            ["token"] = token,
            ["contentType"] = contentType,
            ["body"] = body,
        });

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
