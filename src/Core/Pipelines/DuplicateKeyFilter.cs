using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Farm.Core.Pipelines;

/// <summary>
/// Sits between YamlDotNet's parser and <c>YamlStream.Load</c>, and drops every repeated scalar key
/// of a mapping together with its value, reporting each as an error.
/// </summary>
/// <remarks>
/// Without it, the representation model throws at the first repeated key, and every other problem
/// in the file would go unreported. The first occurrence of a key is kept, so the rest of the
/// file is still checked against it.
/// </remarks>
internal sealed class DuplicateKeyFilter(IParser inner, ICollection<PipelineError> errors) : IParser
{
    /// <summary>One open mapping or sequence; keys are only tracked for mappings.</summary>
    private sealed class Frame(bool isMapping)
    {
        public bool IsMapping { get; } = isMapping;

        /// <summary>A mapping alternates key, value, key…; true while the next node is a key.</summary>
        public bool ExpectingKey { get; set; } = true;

        public Dictionary<string, Mark> Keys { get; } = new(StringComparer.Ordinal);
    }

    private readonly Stack<Frame> frames = new();

    public ParsingEvent? Current => inner.Current;

    /// <summary>
    /// Where the last event read from the inner parser ended: the last place known to be
    /// well-formed, for errors the YAML reader raises without a position of its own.
    /// </summary>
    public Mark LastGoodEnd { get; private set; } = Mark.Empty;

    public bool MoveNext()
    {
        while (inner.MoveNext())
        {
            var current = inner.Current!;
            LastGoodEnd = current.End;
            if (current is Scalar key && frames.TryPeek(out var top) && top.IsMapping && top.ExpectingKey)
            {
                if (top.Keys.TryGetValue(key.Value, out var first))
                {
                    errors.Add(new PipelineError(
                        PipelineParser.LineOf(key.Start),
                        PipelineParser.ColumnOf(key.Start),
                        $"duplicate key '{key.Value}': a mapping may hold each key once, and it is already set on line {PipelineParser.LineOf(first)}; remove or rename one of them."));
                    SkipNode();
                    continue;
                }

                top.Keys.Add(key.Value, key.Start);
            }

            Track(current);
            return true;
        }

        return false;
    }

    private void Track(ParsingEvent current)
    {
        switch (current)
        {
            case MappingStart:
                frames.Push(new Frame(isMapping: true));
                break;
            case SequenceStart:
                frames.Push(new Frame(isMapping: false));
                break;
            case MappingEnd or SequenceEnd:
                frames.Pop();
                NodeCompleted();
                break;
            case Scalar or AnchorAlias:
                NodeCompleted();
                break;
        }
    }

    private void NodeCompleted()
    {
        if (frames.TryPeek(out var parent) && parent.IsMapping)
        {
            parent.ExpectingKey = !parent.ExpectingKey;
        }
    }

    /// <summary>Skips the value that follows a dropped key: one scalar or alias, or a whole collection.</summary>
    private void SkipNode()
    {
        var depth = 0;
        while (inner.MoveNext())
        {
            LastGoodEnd = inner.Current!.End;
            switch (inner.Current)
            {
                case MappingStart or SequenceStart:
                    depth++;
                    break;
                case MappingEnd or SequenceEnd:
                    depth--;
                    break;
            }

            if (depth == 0)
            {
                return;
            }
        }
    }
}
