using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Farm.Core.Pipelines;

public static partial class PipelineParser
{
    /// <summary>
    /// In YAML a '#' after a space starts a comment, so in an unquoted value such as
    /// <c>echo "hi from #{pipeline.name}"</c> everything from <c> #{</c> on is silently dropped and
    /// the command that runs is cut short. Such a comment is never what the author meant: report it,
    /// at the '#', with the fix.
    /// </summary>
    private static void ReportReferencesLostToComments(ParseContext context, YamlNode root, string yaml)
    {
        var lines = yaml.Split('\n');
        foreach (var scalar in PlainScalars(root))
        {
            var line = LineOf(scalar.End) - 1;
            if (line >= lines.Length)
            {
                continue;
            }

            var text = lines[line];
            var after = Math.Min(ColumnOf(scalar.End) - 1, text.Length);
            var hash = after;
            while (hash < text.Length && text[hash] is ' ' or '\t')
            {
                hash++;
            }

            if (hash > after && string.CompareOrdinal(text, hash, "#{", 0, 2) == 0)
            {
                var comment = text[hash..].TrimEnd('\r');
                context.Errors.Add(new PipelineError(line + 1, hash + 1,
                    $"the text from '{comment}' on is read as a YAML comment (a '#' after a space starts one) and cut from the value '{scalar.Value}': put the whole value in single quotes."));
            }
        }
    }

    /// <summary>
    /// Every plain scalar under <paramref name="root"/>, each once. An alias is loaded as the node it
    /// names, so one node may be met by many paths; YamlDotNet's <c>AllNodes</c> would walk it once per
    /// path, recursively, where this walk keeps its own stack and skips nodes already seen.
    /// </summary>
    private static IEnumerable<YamlScalarNode> PlainScalars(YamlNode root)
    {
        var seen = new HashSet<YamlNode>(ReferenceEqualityComparer.Instance);
        var pending = new Stack<YamlNode>([root]);
        while (pending.TryPop(out var node))
        {
            if (!seen.Add(node))
            {
                continue;
            }

            switch (node)
            {
                case YamlScalarNode { Style: ScalarStyle.Plain } scalar:
                    yield return scalar;
                    break;
                case YamlSequenceNode list:
                    foreach (var item in list.Children)
                    {
                        pending.Push(item);
                    }

                    break;
                case YamlMappingNode map:
                    foreach (var (key, value) in map.Children)
                    {
                        pending.Push(key);
                        pending.Push(value);
                    }

                    break;
            }
        }
    }
}
