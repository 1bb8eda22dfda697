using System.Text;
using Farm.Api.V1;

namespace Farm.Cli.Formatting;

/// <summary>
/// The human form of <c>farm webhooks</c>: for each webhook trigger, its secret, then a block per Git
/// host with the URL to configure and how, the instructions wrapped to a terminal's width.
/// </summary>
internal static class WebhooksReport
{
    /// <summary>Instructions wrap at this many columns after their indent.</summary>
    public const int Width = 72;

    private const string Indent = "  ";
    private const int LabelWidth = 7;

    public static string Format(GetWebhooksResponse response, string pipeline)
    {
        var text = new StringBuilder();
        if (response.Webhooks.Count == 0)
        {
            text.Append("The controller offers no webhook addresses for ").Append(pipeline).Append(".\n");
        }

        foreach (var trigger in response.Webhooks.GroupBy(w => w.Source))
        {
            text.Append("trigger on ").Append(trigger.Key).Append('\n');
            Field(text, "Secret", [trigger.First().Secret is { Length: > 0 } secret ? secret : Display.None]);
            text.Append('\n');
            foreach (var webhook in trigger)
            {
                text.Append(webhook.Provider).Append('\n');
                Field(text, "URL", [webhook.Url]);
                Field(text, "Setup", Wrap(webhook.Instructions, Width));
                text.Append('\n');
            }
        }

        return text.ToString();
    }

    /// <summary>
    /// Words of <paramref name="text"/> in lines of at most <paramref name="width"/> characters; a word
    /// longer than that (a URL) gets a line of its own rather than being cut.
    /// </summary>
    public static IReadOnlyList<string> Wrap(string text, int width)
    {
        var lines = new List<string>();
        var line = new StringBuilder();
        foreach (var word in text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > width)
            {
                lines.Add(line.ToString());
                line.Clear();
            }

            line.Append(line.Length > 0 ? " " : "").Append(word);
        }

        if (line.Length > 0)
        {
            lines.Add(line.ToString());
        }

        return lines;
    }

    private static void Field(StringBuilder text, string label, IReadOnlyList<string> lines)
    {
        for (var i = 0; i < lines.Count; i++)
        {
            text.Append(Indent).Append((i == 0 ? label : "").PadRight(LabelWidth)).Append(lines[i]).Append('\n');
        }
    }
}
