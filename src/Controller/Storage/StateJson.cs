using System.Runtime.CompilerServices;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Farm.Core.Executions;

namespace Farm.Controller.Storage;

/// <summary>
/// The one JSON shape of stored state: camelCase, enums by name, so stored rows read well. A row
/// holds only what reads back: null members and computed ones are left out. An execution is stored
/// whole at each of its transitions, so its size is paid for on every one of them.
/// </summary>
internal static class StateJson
{
    public static readonly JsonSerializerOptions Options = Create(RememberedActionRuns.Instance);

    // The same shape, without the converter that writes through it.
    private static readonly JsonSerializerOptions Plain = Create(converter: null);

    private static JsonSerializerOptions Create(JsonConverter? converter)
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            Converters = { new JsonStringEnumConverter() },
            // Rows are read by databases and people, never embedded in a page: no need to escape quotes and '<'.
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { LeaveOutWhatReadsBackAnyway } },
        };
        if (converter is not null)
        {
            options.Converters.Add(converter);
        }

        options.MakeReadOnly();
        return options;
    }

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

    /// <summary>
    /// Writes an action's run as the bytes it was written as before. An execution is stored whole at
    /// every transition of any of its actions, and a transition replaces only the action it changes
    /// (runs are immutable), so each save serialises one action instead of all of them: the JSON of a
    /// 20-action execution was 13 % of the controller's CPU in the throughput benchmark.
    /// </summary>
    private sealed class RememberedActionRuns : JsonConverter<ActionRun>
    {
        public static readonly RememberedActionRuns Instance = new();

        // Weak: an entry lives as long as the run it belongs to, no longer.
        private static readonly ConditionalWeakTable<ActionRun, byte[]> Written = new();

        public override ActionRun? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            JsonSerializer.Deserialize<ActionRun>(ref reader, Plain);

        public override void Write(Utf8JsonWriter writer, ActionRun value, JsonSerializerOptions options)
        {
            var json = Written.GetValue(value, static run => JsonSerializer.SerializeToUtf8Bytes(run, Plain));
            writer.WriteRawValue(json, skipInputValidation: true);
        }
    }
}
