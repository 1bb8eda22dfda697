using YamlDotNet.RepresentationModel;

namespace Farm.Core.Pipelines;

/// <summary>Reading the keys of a <c>type: approval</c> action.</summary>
public static partial class PipelineParser
{
    /// <summary>What the approver sees. Both keys are optional; an approval without them just asks to go on.</summary>
    private static ApprovalSettings ReadApproval(ParseContext context, Fields fields, string where, RunPosition position)
    {
        var message = ReadOptionalText(context, fields, "message", where);
        if (!string.IsNullOrEmpty(message))
        {
            CheckReferences(context, fields["message"].Value, message, "message", where, position);
        }

        var reviewUrl = ReadOptionalText(context, fields, "reviewUrl", where);
        if (reviewUrl is not null)
        {
            var node = fields["reviewUrl"].Value;
            if (reviewUrl.Length == 0)
            {
                context.Report(fields["reviewUrl"].Key,
                    $"'reviewUrl' {where} is empty: set it to the page to review, e.g. https://review.example.com/change/42, or remove it.");
                reviewUrl = null;
            }
            else
            {
                CheckReferences(context, node, reviewUrl, "reviewUrl", where, position);
                CheckLiteralHttpUrl(context, node, reviewUrl, "reviewUrl", where, "https://review.example.com/change/42");
            }
        }

        return new ApprovalSettings(string.IsNullOrEmpty(message) ? null : message, reviewUrl);
    }

    /// <summary>
    /// A URL without references must be an absolute http(s) URL; one with references is only
    /// known when the action runs, and is checked then.
    /// </summary>
    private static void CheckLiteralHttpUrl(ParseContext context, YamlNode node, string text, string key, string where, string example)
    {
        if (Interpolation.FindReferences(text).Count > 0 || Interpolation.IndexOfUnclosed(text) >= 0)
        {
            return;
        }

        if (!IsHttpUrl(Interpolation.Resolve(text, new Dictionary<string, string>())))
        {
            context.Report(node,
                $"invalid {key} '{Shorten(text)}' {where}: write an absolute http or https URL, e.g. {example}, or build it from references such as #{{variables.NAME}}.");
        }
    }
}
