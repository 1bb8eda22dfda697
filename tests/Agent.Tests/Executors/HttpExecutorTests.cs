using System.Net;
using System.Net.Sockets;
using System.Text;
using Farm.Agent.Executors;
using Farm.Agent.Logs;
using Farm.Api.V1;

namespace Farm.Agent.Tests.Executors;

public sealed class HttpExecutorTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("farm-http-").FullName;
    private readonly HttpExecutor _executor = new();
    private LocalHttpServer _server = null!;

    public async Task InitializeAsync() => _server = await LocalHttpServer.StartAsync();

    [Fact]
    public async Task Get_sends_headers_and_logs_request_response_and_body()
    {
        var url = $"{_server.Address}/echo?x=1";
        var call = new HttpCall
        {
            Method = "GET",
            Url = url,
            Headers = { ["X-Token"] = "secret" },
            Outputs = { ["STATUS"] = "status", ["REQUEST_ID"] = "header:x-request-id", ["TYPE"] = "header:Content-Type", ["BODY"] = "body" },
        };

        var (result, log) = await RunAsync(call);

        var echo = LocalHttpServer.Echo("GET", "?x=1", "secret", "", "");
        Assert.Null(result.FailureMessage);
        Assert.Equal(new Dictionary<string, string>
        {
            ["STATUS"] = "200",
            ["REQUEST_ID"] = "req-42",
            ["TYPE"] = "application/json",
            ["BODY"] = echo,
        }, result.Outputs);
        Assert.Equal($"GET {url}\nHTTP 200 OK, {Encoding.UTF8.GetByteCount(echo)} bytes\n{echo}\n", log);
    }

    [Fact]
    public async Task Post_sends_the_body_with_its_content_type_and_accepts_an_expected_status()
    {
        var url = $"{_server.Address}/echo?status=201";
        var call = new HttpCall
        {
            Method = "post",
            Url = url,
            Headers = { ["Content-Type"] = "application/json", ["X-Token"] = "t-1" },
            Body = """{"name":"build"}""",
            ExpectedStatus = { 200, 201 },
            Outputs = { ["METHOD"] = "json:method", ["SENT"] = "json:body", ["SENT_TYPE"] = "json:contentType", ["TOKEN"] = "json:token" },
        };

        var (result, log) = await RunAsync(call);

        var echo = LocalHttpServer.Echo("POST", "?status=201", "t-1", "application/json", """{"name":"build"}""");
        Assert.Null(result.FailureMessage);
        Assert.Equal(new Dictionary<string, string>
        {
            ["METHOD"] = "POST",
            ["SENT"] = """{"name":"build"}""",
            ["SENT_TYPE"] = "application/json",
            ["TOKEN"] = "t-1",
        }, result.Outputs);
        Assert.Equal($"POST {url}\nHTTP 201 Created, {Encoding.UTF8.GetByteCount(echo)} bytes\n{echo}\n", log);
    }

    [Fact]
    public async Task Status_outside_the_expected_ones_fails_naming_both()
    {
        var (result, log) = await RunAsync(new HttpCall { Method = "GET", Url = $"{_server.Address}/status/500", ExpectedStatus = { 200, 201 } });

        Assert.Equal("HTTP 500 Internal Server Error; expected 200, 201", result.FailureMessage);
        Assert.Null(result.Outputs);
        Assert.Equal($"GET {_server.Address}/status/500\nHTTP 500 Internal Server Error, 4 bytes\nnope\n", log);
    }

    [Fact]
    public async Task Status_outside_2xx_fails_when_none_is_expected()
    {
        var (result, _) = await RunAsync(new HttpCall { Method = "GET", Url = $"{_server.Address}/status/404" });

        Assert.Equal("HTTP 404 Not Found; expected 2xx", result.FailureMessage);
    }

    [Fact]
    public async Task Json_outputs_take_strings_as_they_are_and_everything_else_as_compact_json()
    {
        var call = new HttpCall
        {
            Method = "GET",
            Url = $"{_server.Address}/json",
            Outputs =
            {
                ["FIRST_ID"] = "json:data.items.0.id",
                ["FIRST_NAME"] = "json:data.items.0.name",
                ["SECOND_ID"] = "json:data.items.1.id",
                ["PRICE"] = "json:data.items.1.price",
                ["OK"] = "json:data.items.1.ok",
                ["NONE"] = "json:data.items.1.none",
                ["TAGS"] = "json:data.items.1.tags",
                ["OWNER"] = "json:data.items.1.owner",
                ["FIRST"] = "json:data.items.0",
            },
        };

        var (result, _) = await RunAsync(call);

        Assert.Null(result.FailureMessage);
        Assert.Equal(new Dictionary<string, string>
        {
            ["FIRST_ID"] = "7",
            ["FIRST_NAME"] = "first",
            ["SECOND_ID"] = "b2",
            ["PRICE"] = "1.50",
            ["OK"] = "true",
            ["NONE"] = "null",
            ["TAGS"] = """["x","y<z"]""",
            ["OWNER"] = """{"name":"Zoë"}""",
            ["FIRST"] = """{"id":7,"name":"first"}""",
        }, result.Outputs);
    }

    [Fact]
    public async Task Missing_json_path_fails_naming_it()
    {
        var call = new HttpCall { Method = "GET", Url = $"{_server.Address}/json", Outputs = { ["ID"] = "json:data.items.5.id" } };

        var (result, _) = await RunAsync(call);

        Assert.Equal("output ID: the response JSON has no 'data.items.5.id' ('data.items' is an array of 2 items, without item '5')",
            result.FailureMessage);
    }

    [Fact]
    public async Task Missing_header_fails_naming_it()
    {
        var call = new HttpCall { Method = "GET", Url = $"{_server.Address}/json", Outputs = { ["ETAG"] = "header:ETag" } };

        var (result, _) = await RunAsync(call);

        Assert.Equal("output ETAG: the response has no header 'ETag'", result.FailureMessage);
    }

    [Fact]
    public async Task Large_body_is_logged_by_size_and_refused_as_a_body_output()
    {
        var url = $"{_server.Address}/big";

        var (result, log) = await RunAsync(new HttpCall { Method = "GET", Url = url, Outputs = { ["BODY"] = "body" } });

        Assert.Equal($"output BODY: the response body is {LocalHttpServer.BigBytes} bytes; a body output holds at most 64 KiB", result.FailureMessage);
        Assert.Equal($"GET {url}\nHTTP 200 OK, {LocalHttpServer.BigBytes} bytes\n(response body of {LocalHttpServer.BigBytes} bytes not shown: over 64 KiB)\n", log);
    }

    [Fact]
    public async Task Five_redirects_are_followed_and_a_sixth_is_not()
    {
        var (followed, _) = await RunAsync(new HttpCall { Method = "GET", Url = $"{_server.Address}/hop/5", Outputs = { ["BODY"] = "body" } });
        var (stopped, _) = await RunAsync(new HttpCall { Method = "GET", Url = $"{_server.Address}/hop/6" });

        Assert.Equal((null, "arrived"), (followed.FailureMessage, followed.Outputs!["BODY"]));
        Assert.Equal("HTTP 302 Found; expected 2xx", stopped.FailureMessage);
    }

    [Fact]
    public async Task Refused_connection_fails_with_the_reason()
    {
        // A port that was free a moment ago and has nothing listening now.
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var (result, log) = await RunAsync(new HttpCall { Method = "GET", Url = $"http://127.0.0.1:{port}/x" });

        Assert.Equal($"cannot connect to http://127.0.0.1:{port}: Connection refused", result.FailureMessage);
        Assert.Equal($"GET http://127.0.0.1:{port}/x\ncannot connect to http://127.0.0.1:{port}: Connection refused\n", log);
    }

    [Fact]
    public async Task Unknown_output_source_is_refused_before_anything_is_sent()
    {
        var (result, log) = await RunAsync(new HttpCall { Method = "POST", Url = $"{_server.Address}/echo", Outputs = { ["X"] = "cookie:id" } });

        Assert.Equal("the http action's output X takes its value from 'cookie:id'; use status, body, header:NAME or json:PATH", result.FailureMessage);
        Assert.Equal("", log);
    }

    private async Task<(ExecutorResult Result, string Log)> RunAsync(HttpCall call)
    {
        var offer = new JobOffer { AttemptId = "p-1.1", Spec = new ActionSpec { Type = "http", Http = call } };
        var logPath = Path.Combine(_dir, Guid.NewGuid().ToString("N"));
        ExecutorResult result;
        await using (var spool = new LogSpool(logPath))
        {
            var context = new AttemptContext(offer, _dir, new Dictionary<string, string>(), spool);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            result = await _executor.RunAsync(context, timeout.Token);
        }

        return (result, Encoding.UTF8.GetString(await File.ReadAllBytesAsync(logPath)));
    }

    public async Task DisposeAsync()
    {
        _executor.Dispose();
        await _server.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }
}
