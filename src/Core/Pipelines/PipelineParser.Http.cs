using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Farm.Core.Pipelines;

/// <summary>Reading the keys of a <c>type: http</c> action.</summary>
public static partial class PipelineParser
{
    private const int MinStatus = 100;
    private const int MaxStatus = 599;

    private const string OutputSources = "status, body, header:NAME or json:PATH (e.g. json:data.items.0.id)";

    private static readonly Dictionary<string, string> HttpMethods = new(StringComparer.Ordinal)
    {
        ["GET"] = "GET",
        ["POST"] = "POST",
        ["PUT"] = "PUT",
        ["PATCH"] = "PATCH",
        ["DELETE"] = "DELETE",
        ["HEAD"] = "HEAD",
    };

    // RFC 9110 token characters: what a header field name may hold.
    [GeneratedRegex(@"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$", RegexOptions.CultureInvariant)]
    private static partial Regex HeaderNamePattern();

    // Dotted object keys and array indexes: data.items.0.id.
    [GeneratedRegex(@"^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex JsonPathPattern();

    /// <summary>The request and what to take from the response; null when the url is missing or unusable (reported).</summary>
    private static HttpRequestSettings? ReadHttp(
        ParseContext context, Fields fields, YamlMappingNode map, string where, RunPosition position)
    {
        var url = ReadRequiredText(context, fields, map, "url", where, "the absolute http or https URL to call, e.g. https://api.example.com/deploy");
        if (url is not null)
        {
            var node = fields["url"].Value;
            CheckReferences(context, node, url, "url", where, position);
            CheckLiteralHttpUrl(context, node, url, "url", where, "https://api.example.com/deploy");
        }

        var method = "GET";
        var methodText = ReadOptionalText(context, fields, "method", where);
        if (methodText is not null
            && TryReadChoice(context, fields["method"].Value, methodText, HttpMethods, "HTTP method", where, out var chosen))
        {
            method = chosen;
        }

        var headers = ReadHeaders(context, fields, where, position);
        var body = ReadOptionalText(context, fields, "body", where);
        if (!string.IsNullOrEmpty(body))
        {
            CheckReferences(context, fields["body"].Value, body, "body", where, position);
        }

        var expected = ReadExpectedStatus(context, fields, where);
        var outputs = ReadHttpOutputs(context, fields, where);
        return url is null
            ? null
            : new HttpRequestSettings(method, url, headers, string.IsNullOrEmpty(body) ? null : body, expected, outputs);
    }

    /// <summary>Request headers in file order; values may hold references.</summary>
    private static Dictionary<string, string> ReadHeaders(ParseContext context, Fields fields, string where, RunPosition position)
    {
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!fields.TryGetValue("headers", out var field) || IsNull(field.Value))
        {
            return headers;
        }

        if (field.Value is not YamlMappingNode map)
        {
            WrongKind(context, field.Value, $"'headers' {where}", "a mapping of Header-Name: value");
            return headers;
        }

        // Header names ignore case in HTTP, so Accept and accept would be one header sent twice.
        var seen = new Dictionary<string, YamlNode>(StringComparer.OrdinalIgnoreCase);
        foreach (var (keyNode, valueNode) in map.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { } name })
            {
                WrongKind(context, keyNode, $"a header name in 'headers' {where}", "a plain name");
                continue;
            }

            if (!HeaderNamePattern().IsMatch(name))
            {
                context.Report(keyNode,
                    $"invalid header name '{Shorten(name)}' in 'headers' {where}: use letters, digits and ! # $ % & ' * + - . ^ _ ` | ~ only, e.g. Content-Type.");
                continue;
            }

            if (seen.TryGetValue(name, out var first))
            {
                context.Report(keyNode,
                    $"duplicate header '{name}' in 'headers' {where}: '{((YamlScalarNode)first).Value}' on line {LineOf(first.Start)} is the same header (header names ignore case); keep one of them.");
                continue;
            }

            seen.Add(name, keyNode);
            var value = ReadText(context, valueNode, $"header '{name}' in 'headers' {where}");
            if (value is null)
            {
                continue;
            }

            if (value.Contains('\n', StringComparison.Ordinal) || value.Contains('\r', StringComparison.Ordinal))
            {
                context.Report(valueNode, $"header '{name}' in 'headers' {where} spans several lines: a header value is one line; remove the line breaks.");
                continue;
            }

            CheckReferences(context, valueNode, value, $"header '{name}'", where, position, secretsAllowed: true);
            headers[name] = value;
        }

        return headers;
    }

    /// <summary>Status codes that count as success: one number or a list; empty (any 2xx) when absent.</summary>
    private static List<int> ReadExpectedStatus(ParseContext context, Fields fields, string where)
    {
        var codes = new List<int>();
        if (!fields.TryGetValue("expectedStatus", out var field) || IsNull(field.Value))
        {
            return codes;
        }

        var items = field.Value switch
        {
            YamlSequenceNode list => list.Children,
            YamlScalarNode scalar => [scalar],
            _ => null,
        };
        if (items is null)
        {
            WrongKind(context, field.Value, $"'expectedStatus' {where}", "a status code or a list of them, e.g. [200, 201]");
            return codes;
        }

        if (items.Count == 0)
        {
            context.Report(field.Value, $"'expectedStatus' {where} is empty: list the status codes that mean success, e.g. [200, 201], or remove it to accept any 2xx.");
            return codes;
        }

        foreach (var item in items)
        {
            var text = ReadText(context, item, $"a status code in 'expectedStatus' {where}");
            if (text is null)
            {
                continue;
            }

            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var code) || code is < MinStatus or > MaxStatus)
            {
                context.Report(item,
                    $"status code '{Shorten(text)}' in 'expectedStatus' {where} is not valid: use whole numbers from {MinStatus} to {MaxStatus}, e.g. 200.");
                continue;
            }

            if (codes.Contains(code))
            {
                context.Report(item, $"status code {code} is listed twice in 'expectedStatus' {where}: remove one of them.");
                continue;
            }

            codes.Add(code);
        }

        return codes;
    }

    /// <summary>Output variables taken from the response, name to source, in file order.</summary>
    private static Dictionary<string, string> ReadHttpOutputs(ParseContext context, Fields fields, string where)
    {
        var outputs = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!fields.TryGetValue("outputs", out var field) || IsNull(field.Value))
        {
            return outputs;
        }

        if (field.Value is not YamlMappingNode map)
        {
            WrongKind(context, field.Value, $"'outputs' {where}", $"a mapping of NAME: source, where a source is {OutputSources}");
            return outputs;
        }

        foreach (var (keyNode, valueNode) in map.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { } name })
            {
                WrongKind(context, keyNode, $"an output name in 'outputs' {where}", "a plain name");
                continue;
            }

            if (!EnvKeyPattern().IsMatch(name))
            {
                context.Report(keyNode,
                    $"invalid output name '{Shorten(name)}' in 'outputs' {where}: start it with a letter or '_' and use only letters, digits and '_'.");
                continue;
            }

            var source = ReadText(context, valueNode, $"output '{name}' in 'outputs' {where}");
            if (source is null)
            {
                continue;
            }

            var problem = OutputSourceProblem(source);
            if (problem is not null)
            {
                context.Report(IsNull(valueNode) ? keyNode : valueNode, $"invalid source '{Shorten(source)}' for output '{name}' {where}: {problem}.");
                continue;
            }

            outputs[name] = source;
        }

        return outputs;
    }

    /// <summary>Why <paramref name="source"/> names no part of a response; null when it does.</summary>
    private static string? OutputSourceProblem(string source)
    {
        if (source is "status" or "body")
        {
            return null;
        }

        if (source.StartsWith("header:", StringComparison.Ordinal))
        {
            return HeaderNamePattern().IsMatch(source["header:".Length..])
                ? null
                : "after 'header:' write a header name, e.g. header:Location";
        }

        if (source.StartsWith("json:", StringComparison.Ordinal))
        {
            return JsonPathPattern().IsMatch(source["json:".Length..])
                ? null
                : "after 'json:' write a path of object keys and array indexes joined by '.', e.g. json:data.items.0.id";
        }

        var suggestion = Closest(source, ["status", "body"]);
        return suggestion is null ? $"use {OutputSources}" : $"did you mean '{suggestion}'? Use {OutputSources}";
    }
}
