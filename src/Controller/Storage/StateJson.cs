using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Farm.Controller.Storage;

/// <summary>
/// The one JSON shape of stored state: camelCase, enums by name, so stored rows read well. A row
/// holds only what reads back: null members and computed ones are left out. An execution is stored
/// whole at each of its transitions, so its size is paid for on every one of them.
/// </summary>
internal static class StateJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        // Rows are read by databases and people, never embedded in a page: no need to escape quotes and '<'.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { LeaveOutWhatReadsBackAnyway } },
    };

    private static void LeaveOutWhatReadsBackAnyway(JsonTypeInfo type)
    {
        if (type.Kind != JsonTypeInfoKind.Object)
        {
            return;
        }

        foreach (var property in type.Properties)
        {
            if (property.Set is null && property.AssociatedParameter is null)
            {
                // Computed (IsFinished, CurrentStage, ...): never read back, so never written.
                property.ShouldSerialize = static (_, _) => false;
            }
            else if (!property.IsRequired && property.AssociatedParameter is null && IsNullable(property.PropertyType))
            {
                // Absent reads back as null: no member of stored state starts non-null and may be set to null.
                property.ShouldSerialize = static (_, value) => value is not null;
            }
        }
    }

    private static bool IsNullable(Type type) => !type.IsValueType || Nullable.GetUnderlyingType(type) is not null;
}
