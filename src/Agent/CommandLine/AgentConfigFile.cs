using System.Text.Json;
using System.Text.Json.Nodes;

namespace Farm.Agent.CommandLine;

/// <summary>The settings file <c>install</c> writes: <c>{"Farm":{"Agent":{...}}}</c>, as <c>run --config</c> reads it.</summary>
internal static class AgentConfigFile
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static string Render(string controller, string enrollToken, IReadOnlyList<string> labels, int slots, string workDir)
    {
        var agent = new JsonObject
        {
            ["Controller"] = controller,
            ["EnrollToken"] = enrollToken,
            ["Labels"] = new JsonArray(labels.Select(l => (JsonNode?)JsonValue.Create(l)).ToArray()),
            ["Slots"] = slots,
            ["WorkDir"] = workDir,
        };
        return new JsonObject { ["Farm"] = new JsonObject { ["Agent"] = agent } }.ToJsonString(Indented) + "\n";
    }

    /// <summary>The work folder a config file names, or null when it cannot be read.</summary>
    public static string? ReadWorkDir(string path)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(path))?["Farm"]?["Agent"]?["WorkDir"]?.GetValue<string>();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or InvalidOperationException)
        {
            return null;
        }
    }
}
