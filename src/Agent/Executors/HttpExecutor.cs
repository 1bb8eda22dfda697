using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Farm.Agent.Artifacts;
using Farm.Agent.Logs;
using Farm.Api.V1;
using Microsoft.AspNetCore.WebUtilities;

namespace Farm.Agent.Executors;

/// <summary>
/// Sends the action's <see cref="HttpCall"/> and sets output variables from the response. One
/// <see cref="HttpClient"/> over one <see cref="SocketsHttpHandler"/> serves every attempt: at most
/// <see cref="MaxRedirects"/> redirects followed, no cookies kept (attempts share the handler), no
/// client timeout (the attempt's timeout cancels the token). A header the request cannot carry
/// (Content-Type, Content-Length…) goes on the content; a body without a Content-Type header is sent
/// without one. The log gets a line for the request (<c>POST https://…</c>), one for the response
/// (<c>HTTP 201 Created, 123 bytes</c>), then the response body when it is text under 64 KiB.
/// Succeeds when the status is one of <see cref="HttpCall.ExpectedStatus"/>, or any 2xx when that is
/// empty. Outputs: <c>status</c>; <c>body</c> (at most 64 KiB); <c>header:NAME</c> (response or
/// content header, several values joined with ", "); <c>json:PATH</c>, a dotted path of property
/// names and array indexes (<c>data.items.0.id</c>, empty for the whole document) whose string value
/// is taken as it is and anything else as compact JSON text (so <c>null</c> is "null"). A missing
/// header or path, or a response that cannot be reached, fails the action with a message.
/// Thread-safe.
/// </summary>
public sealed class HttpExecutor : IActionExecutor, IDisposable
{
    public const int MaxRedirects = 5;

    /// <summary>The largest body logged or taken as the <c>body</c> output, as $FARM_OUTPUT's values.</summary>
    public const int MaxTextBytes = OutputFile.MaxValueBytes;

    /// <summary>The largest body kept in memory for <c>json:</c> outputs; the rest is only counted.</summary>
    public const int MaxBufferedBytes = 1024 * 1024;

    private static readonly JsonWriterOptions CompactJson = new() { Indented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly HttpClient _client = new(new SocketsHttpHandler
    {
        AllowAutoRedirect = true,
        MaxAutomaticRedirections = MaxRedirects,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.All,
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    public async Task<ExecutorResult> RunAsync(AttemptContext context, CancellationToken cancellationToken)
    {
        var call = context.Offer.Spec.Http;
        if (call is null)
        {
            return ExecutorResult.Failed("the http action names no request to send");
        }

        if (!Uri.TryCreate(call.Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
        {
            return ExecutorResult.Failed($"the http action's url '{call.Url}' is not an absolute http:// or https:// URL");
        }

        if (Check(call) is { } invalid)
        {
            return ExecutorResult.Failed(invalid);
        }

        using var request = new HttpRequestMessage(new HttpMethod(Method(call)), url);
        if (Build(request, call) is { } refused)
        {
            return ExecutorResult.Failed(refused);
        }

        var log = context.Output.CreateWriter();
        await log.WriteLineAsync($"{request.Method} {Redact(url)}");
        var origin = url.GetLeftPart(UriPartial.Authority);
        Response response;
        try
        {
            response = await SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException e) when (!cancellationToken.IsCancellationRequested)
        {
            var reason = Reason(e);
            var message = e.HttpRequestError switch
            {
                HttpRequestError.ConnectionError => $"cannot connect to {Redact(origin)}: {reason}",
                HttpRequestError.NameResolutionError => $"cannot resolve {url.Host}: {reason}",
                HttpRequestError.SecureConnectionError => $"TLS with {Redact(origin)} failed: {reason}",
                _ => $"the request to {Redact(origin)} failed: {reason}",
            };
            await log.WriteLineAsync(message);
            return ExecutorResult.Failed(message);
        }
        catch (IOException e) when (!cancellationToken.IsCancellationRequested)
        {
            var message = $"reading the response from {Redact(origin)} failed: {e.Message}";
            await log.WriteLineAsync(message);
            return ExecutorResult.Failed(message);
        }

        var status = StatusText(response.Status);
        await log.WriteLineAsync($"{status}, {response.Length} bytes");
        if (response.Length > MaxTextBytes)
        {
            await log.WriteLineAsync($"(response body of {response.Length} bytes not shown: over 64 KiB)");
        }
        else if (response.Length > 0)
        {
            await log.WriteLineAsync(response.Text() is { } text
                ? (text.EndsWith('\n') ? text[..^1] : text)
                : $"(response body of {response.Length} bytes not shown: not text)");
        }

        var expected = call.ExpectedStatus.Count > 0 ? call.ExpectedStatus.Contains(response.Status) : response.Status is >= 200 and <= 299;
        if (!expected)
        {
            var wanted = call.ExpectedStatus.Count > 0 ? string.Join(", ", call.ExpectedStatus) : "2xx";
            return ExecutorResult.Failed($"{status}; expected {wanted}");
        }

        return Outputs(call, response);
    }

    /// <summary>What the call asks that can be refused before anything is sent; null when all is well.</summary>
    private static string? Check(HttpCall call)
    {
        foreach (var (name, source) in call.Outputs)
        {
            if (!OutputFile.IsKey(name))
            {
                return $"the http action's output '{name}' is not a valid name: letters, digits and _, not starting with a digit";
            }

            if (source is not ("status" or "body") && !source.StartsWith("json:", StringComparison.Ordinal)
                && !(source.StartsWith("header:", StringComparison.Ordinal) && source.Length > "header:".Length))
            {
                return $"the http action's output {name} takes its value from '{source}'; use status, body, header:NAME or json:PATH";
            }
        }

        var method = Method(call);
        if (method.Length == 0 || !method.All(c => char.IsAsciiLetter(c)))
        {
            return $"the http action's method '{call.Method}' is not an HTTP method such as GET, POST, PUT, PATCH, DELETE or HEAD";
        }

        return null;
    }

    private static string Method(HttpCall call) => call.Method.Trim() is { Length: > 0 } method ? method.ToUpperInvariant() : "GET";

    /// <summary>Puts the headers and body on the request; null when all fit, else why not.</summary>
    private static string? Build(HttpRequestMessage request, HttpCall call)
    {
        if (call.Body.Length > 0)
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(call.Body));
        }

        foreach (var (name, value) in call.Headers)
        {
            if (value.Contains('\r') || value.Contains('\n'))
            {
                return $"the http action's header {name} holds a line break, which no header value may";
            }

            if (request.Headers.TryAddWithoutValidation(name, value))
            {
                continue;
            }

            // Content-Type and the other content headers live on the content, even an empty one.
            request.Content ??= new ByteArrayContent([]);
            if (!request.Content.Headers.TryAddWithoutValidation(name, value))
            {
                return $"the http action's header '{name}' is not a valid header name";
            }
        }

        return null;
    }

    private async Task<Response> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var kept = new MemoryStream();
        var buffer = new byte[16 * 1024];
        long length = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
        {
            if (length < MaxBufferedBytes)
            {
                kept.Write(buffer, 0, (int)Math.Min(read, MaxBufferedBytes - length));
            }

            length += read;
        }

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            headers[name] = string.Join(", ", values);
        }

        return new Response((int)response.StatusCode, headers, response.Content.Headers.ContentType, kept.ToArray(), length);
    }

    private static ExecutorResult Outputs(HttpCall call, Response response)
    {
        var outputs = new Dictionary<string, string>(StringComparer.Ordinal);
        JsonDocument? json = null;
        try
        {
            foreach (var (name, source) in call.Outputs)
            {
                string value;
                if (source == "status")
                {
                    value = response.Status.ToString(CultureInfo.InvariantCulture);
                }
                else if (source == "body")
                {
                    if (response.Length > MaxTextBytes)
                    {
                        return ExecutorResult.Failed($"output {name}: the response body is {response.Length} bytes; a body output holds at most 64 KiB");
                    }

                    value = response.Decode();
                }
                else if (source.StartsWith("header:", StringComparison.Ordinal))
                {
                    var header = source["header:".Length..];
                    if (!response.Headers.TryGetValue(header, out var found))
                    {
                        return ExecutorResult.Failed($"output {name}: the response has no header '{header}'");
                    }

                    value = found;
                }
                else
                {
                    var path = source["json:".Length..];
                    if (json is null)
                    {
                        if (response.Length > MaxBufferedBytes)
                        {
                            return ExecutorResult.Failed($"output {name}: the response body is {response.Length} bytes; json outputs read at most 1 MiB");
                        }

                        try
                        {
                            json = JsonDocument.Parse(response.Body);
                        }
                        catch (JsonException e)
                        {
                            return ExecutorResult.Failed($"output {name}: the response body is not JSON: {e.Message}");
                        }
                    }

                    var (found, missing) = Resolve(json.RootElement, path);
                    if (missing is not null)
                    {
                        return ExecutorResult.Failed($"output {name}: the response JSON has no '{path}' ({missing})");
                    }

                    value = Render(found);
                }

                if (Encoding.UTF8.GetByteCount(value) > OutputFile.MaxValueBytes)
                {
                    return ExecutorResult.Failed($"output {name}: its value from {source} is over 64 KiB");
                }

                outputs[name] = value;
            }
        }
        finally
        {
            json?.Dispose();
        }

        return ExecutorResult.Done(outputs);
    }

    /// <summary>The element at a dotted path, or why there is none.</summary>
    private static (JsonElement Value, string? Missing) Resolve(JsonElement root, string path)
    {
        var current = root;
        var walked = "";
        foreach (var segment in path.Length == 0 ? [] : path.Split('.'))
        {
            var at = walked.Length == 0 ? "the top" : $"'{walked}'";
            switch (current.ValueKind)
            {
                case JsonValueKind.Object when current.TryGetProperty(segment, out var property):
                    current = property;
                    break;
                case JsonValueKind.Object:
                    return (default, $"{at} has no property '{segment}'");
                case JsonValueKind.Array when int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var index)
                                              && index < current.GetArrayLength():
                    current = current[index];
                    break;
                case JsonValueKind.Array:
                    return (default, $"{at} is an array of {current.GetArrayLength()} items, without item '{segment}'");
                default:
                    return (default, $"{at} is {current.ValueKind.ToString().ToLowerInvariant()}, not an object or array");
            }

            walked = walked.Length == 0 ? segment : walked + "." + segment;
        }

        return (current, null);
    }

    private static string Render(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                return value.GetString()!;
            case JsonValueKind.Object or JsonValueKind.Array:
                using (var buffer = new MemoryStream())
                {
                    using (var writer = new Utf8JsonWriter(buffer, CompactJson))
                    {
                        value.WriteTo(writer);
                    }

                    return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
                }

            default:
                return value.GetRawText();
        }
    }

    private static string StatusText(int status) =>
        ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } phrase ? $"HTTP {status} {phrase}" : $"HTTP {status}";

    /// <summary>The innermost socket error's text ("Connection refused"), else the exception's.</summary>
    private static string Reason(Exception e)
    {
        for (var inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is SocketException socket)
            {
                return socket.Message;
            }
        }

        return e.InnerException?.Message ?? e.Message;
    }

    private static string Redact(Uri url) => url.UserInfo.Length > 0 ? url.ToString().Replace(url.UserInfo + "@", "***@", StringComparison.Ordinal) : url.ToString();

    private static string Redact(string origin) => Uri.TryCreate(origin, UriKind.Absolute, out var uri) ? Redact(uri).TrimEnd('/') : origin;

    public void Dispose() => _client.Dispose();

    /// <summary>A response read to its end: at most <see cref="MaxBufferedBytes"/> of its body kept, its full length counted.</summary>
    private sealed record Response(
        int Status, IReadOnlyDictionary<string, string> Headers, MediaTypeHeaderValue? ContentType, byte[] Body, long Length)
    {
        private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

        /// <summary>The body as text in its charset (UTF-8 when none is named).</summary>
        public string Decode()
        {
            try
            {
                return (ContentType?.CharSet is { Length: > 0 } charset ? Encoding.GetEncoding(charset.Trim('"')) : Encoding.UTF8).GetString(Body);
            }
            catch (ArgumentException)
            {
                return Encoding.UTF8.GetString(Body);
            }
        }

        /// <summary>The body as text when its media type is textual (or, with none, when it is valid UTF-8); else null.</summary>
        public string? Text()
        {
            var media = ContentType?.MediaType?.ToLowerInvariant();
            if (media is not null)
            {
                var textual = media.StartsWith("text/", StringComparison.Ordinal) || media.Contains("json", StringComparison.Ordinal)
                    || media.Contains("xml", StringComparison.Ordinal) || media is "application/javascript" or "application/x-www-form-urlencoded";
                return textual ? Decode() : null;
            }

            try
            {
                var text = StrictUtf8.GetString(Body);
                return text.Contains('\0') ? null : text;
            }
            catch (DecoderFallbackException)
            {
                return null;
            }
        }
    }
}
