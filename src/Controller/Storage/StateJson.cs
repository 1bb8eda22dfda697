using System.Text.Json;
using System.Text.Json.Serialization;

namespace Farm.Controller.Storage;

/// <summary>The one JSON shape of stored state: camelCase, enums by name, so stored rows read well.</summary>
internal static class StateJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
    };
}
