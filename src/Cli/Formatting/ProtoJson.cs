using Google.Protobuf;

namespace Farm.Cli.Formatting;

/// <summary>
/// The <c>--json</c> form: the API's own messages in the protobuf JSON mapping, with default values,
/// so scripts see every field (a zero attempt, an empty agent) and the shape only changes when the
/// API does.
/// </summary>
internal static class ProtoJson
{
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true).WithIndentation());

    public static string Format(IMessage message) => Formatter.Format(message);
}
