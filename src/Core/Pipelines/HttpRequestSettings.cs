namespace Farm.Core.Pipelines;

/// <summary>The fields of an <see cref="ActionType.Http"/> action; every text may hold <c>#{...}</c> references.</summary>
/// <param name="Method">GET, POST, PUT, PATCH, DELETE or HEAD.</param>
/// <param name="Url">An absolute http or https URL.</param>
/// <param name="Headers">Request headers, in file order.</param>
/// <param name="Body">The request body; null for none.</param>
/// <param name="ExpectedStatus">Status codes that count as success; empty means any 2xx.</param>
/// <param name="Outputs">
/// Output variables taken from the response: name to source, where a source is <c>status</c>,
/// <c>header:NAME</c>, <c>body</c>, or <c>json:PATH</c> (a dotted path into a JSON body, e.g. <c>json:data.id</c>).
/// </param>
public sealed record HttpRequestSettings(
    string Method,
    string Url,
    IReadOnlyDictionary<string, string> Headers,
    string? Body,
    IReadOnlyList<int> ExpectedStatus,
    IReadOnlyDictionary<string, string> Outputs);
