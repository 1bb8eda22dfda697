using YamlDotNet.RepresentationModel;

namespace Farm.Core.Pipelines;

/// <summary>What one <see cref="PipelineParser.Parse"/> call collects while it walks the file.</summary>
internal sealed class ParseContext
{
    /// <summary>Every problem found so far, in the order found; sorted only at the end.</summary>
    public List<PipelineError> Errors { get; } = [];

    /// <summary>Declared variable names, read before the stages so references can be checked.</summary>
    public HashSet<string> Variables { get; } = new(StringComparer.Ordinal);

    /// <summary>Records <paramref name="message"/> at the start of <paramref name="node"/>.</summary>
    public void Report(YamlNode node, string message) =>
        Errors.Add(new PipelineError(PipelineParser.LineOf(node.Start), PipelineParser.ColumnOf(node.Start), message));
}
