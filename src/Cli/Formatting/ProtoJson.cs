using System.Collections;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;

namespace Farm.Cli.Formatting;

/// <summary>
/// The <c>--json</c> form: the API's own messages in the protobuf JSON mapping, with default values,
/// so scripts see every field (a zero attempt, an empty agent) and the shape only changes when the
/// API does. A message that says it does not carry some fields (its <c>left_out</c> mask, as list
/// rows of executions have) shows no value for them, rather than a default that would read as the truth.
/// </summary>
internal static class ProtoJson
{
    /// <summary>The field by which a message names the fields it does not carry.</summary>
    public const string LeftOutField = "left_out";

    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true).WithIndentation());

    // Indented as the protobuf formatter indents, with characters as they are (this is no web page).
    private static readonly JsonSerializerOptions Rewritten = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Format(IMessage message)
    {
        var text = Formatter.Format(message);
        if (!NamesLeftOut(message))
        {
            return text;
        }

        var json = JsonNode.Parse(text)!.AsObject();
        DropLeftOut(message, json);
        return json.ToJsonString(Rewritten);
    }

    private static bool NamesLeftOut(IMessage message) => Nested(message).Any(m => LeftOut(m) is { Paths.Count: > 0 });

    /// <summary>Removes from <paramref name="json"/>, the JSON of <paramref name="message"/>, every field a message in it leaves out.</summary>
    private static void DropLeftOut(IMessage message, JsonObject json)
    {
        foreach (var field in message.Descriptor.Fields.InDeclarationOrder().Where(f => f.FieldType == FieldType.Message))
        {
            switch (field.Accessor.GetValue(message), json[field.JsonName])
            {
                case (IDictionary map, JsonObject values):
                    foreach (DictionaryEntry entry in map)
                    {
                        if (entry.Value is IMessage value && values[MapKey(entry.Key)] is JsonObject valueJson)
                        {
                            DropLeftOut(value, valueJson);
                        }
                    }

                    break;
                case (IList list, JsonArray items):
                    for (var i = 0; i < list.Count && i < items.Count; i++)
                    {
                        if (list[i] is IMessage item && items[i] is JsonObject itemJson)
                        {
                            DropLeftOut(item, itemJson);
                        }
                    }

                    break;
                case (IMessage nested, JsonObject nestedJson):
                    DropLeftOut(nested, nestedJson);
                    break;
            }
        }

        foreach (var path in LeftOut(message)?.Paths ?? [])
        {
            if (message.Descriptor.FindFieldByName(path) is { } field)
            {
                json.Remove(field.JsonName);
            }
        }
    }

    private static FieldMask? LeftOut(IMessage message) =>
        message.Descriptor.FindFieldByName(LeftOutField) is { MessageType.FullName: "google.protobuf.FieldMask" } field
            ? field.Accessor.GetValue(message) as FieldMask
            : null;

    /// <summary><paramref name="message"/> and every message inside it.</summary>
    private static IEnumerable<IMessage> Nested(IMessage message)
    {
        yield return message;
        foreach (var field in message.Descriptor.Fields.InDeclarationOrder().Where(f => f.FieldType == FieldType.Message))
        {
            var value = field.Accessor.GetValue(message);
            var children = value switch
            {
                IDictionary map => map.Values.OfType<IMessage>(),
                IList list => list.OfType<IMessage>(),
                IMessage single => [single],
                _ => [],
            };
            foreach (var child in children.SelectMany(Nested))
            {
                yield return child;
            }
        }
    }

    // The protobuf JSON mapping writes a map's keys as their text: bools as true/false, numbers in digits.
    private static string MapKey(object key) => key is bool flag ? (flag ? "true" : "false") : Convert.ToString(key, CultureInfo.InvariantCulture)!;
}
