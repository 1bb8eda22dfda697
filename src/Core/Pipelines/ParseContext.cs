using YamlDotNet.RepresentationModel;

namespace Farm.Core.Pipelines;

/// <summary>What one <see cref="PipelineParser.Parse"/> call collects while it walks the file.</summary>
internal sealed class ParseContext
{
    /// <summary>Every problem found so far, in the order found; sorted only at the end.</summary>
    public List<PipelineError> Errors { get; } = [];

    /// <summary>Declared variable names, read before the stages so references can be checked.</summary>
    public HashSet<string> Variables { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Action namespaces by name, ignoring case as their uniqueness rule does; the first
    /// declaration of each name wins.
    /// </summary>
    public Dictionary<string, Producer> Namespaces { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Output artifacts by name, ignoring case; the first producer of each name wins.</summary>
    public Dictionary<string, Producer> Artifacts { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Checks that need every stage read first (references and input artifacts may name a
    /// namespace or artifact declared further down the file); run once, after the stages.
    /// </summary>
    public List<Action> AfterStages { get; } = [];

    /// <summary>Records <paramref name="message"/> at the start of <paramref name="node"/>.</summary>
    public void Report(YamlNode node, string message) =>
        Errors.Add(new PipelineError(PipelineParser.LineOf(node.Start), PipelineParser.ColumnOf(node.Start), message));
}
