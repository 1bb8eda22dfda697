using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Farm.Core.Pipelines;

/// <summary>
/// Sits between YamlDotNet's parser and everything else, and stops a document whose structure is
/// hostile before any of it is built: nesting deeper than <see cref="DocumentLimits.MaxDepth"/>, more
/// than <see cref="DocumentLimits.MaxNodes"/> values once aliases are expanded (an alias bomb), an
/// alias inside the value it names (a cycle) and an alias to an anchor not yet defined.
/// </summary>
/// <remarks>
/// YamlDotNet's parser keeps its own stack, but <c>YamlStream.Load</c> and every walk of the loaded
/// nodes recurse once per level, and an alias is loaded as the very node it names, so one anchored
/// value repeated by aliases that are repeated in turn is walked once per path through it. Counting
/// here, event by event, costs nothing per value and keeps every later walk bounded. YAML lets an
/// alias name only an anchor above it; YamlDotNet also resolves one further down, which would let
/// two anchors contain each other, so that is refused too. Each refusal throws
/// <see cref="DocumentLimitException"/> with the place and what to change.
/// </remarks>
internal sealed class StructureLimitFilter(IParser inner) : IParser
{
    /// <summary>One open mapping or list: how many values it holds so far, aliases expanded, itself included.</summary>
    private sealed class Frame(string? anchor)
    {
        public string? Anchor { get; } = anchor;

        public long Size { get; set; } = 1;
    }

    /// <summary>What an anchor names: a value still being read (<see cref="Open"/>), or one read, of <see cref="Size"/> values.</summary>
    private sealed class Anchored(Frame? open, long size, Mark start)
    {
        public Frame? Open { get; set; } = open;

        public long Size { get; set; } = size;

        public Mark Start { get; } = start;
    }

    private readonly Stack<Frame> _frames = new();
    private readonly Dictionary<string, Anchored> _anchors = new(StringComparer.Ordinal);
    private long _values;
    private bool _aliased;

    public ParsingEvent? Current => inner.Current;

    public bool MoveNext()
    {
        if (!inner.MoveNext())
        {
            return false;
        }

        var current = inner.Current!;
        switch (current)
        {
            case DocumentStart:
                // Anchors belong to one document.
                _anchors.Clear();
                break;
            case MappingStart or SequenceStart:
                if (_frames.Count >= DocumentLimits.MaxDepth)
                {
                    throw Refuse(current.Start,
                        $"lists and mappings nest more than {DocumentLimits.MaxDepth} levels deep here, and a pipeline needs about ten: look for '[' or '{{' that repeat or are never closed, or indentation that runs away.");
                }

                Count(current.Start, 1);
                var anchor = ((NodeEvent)current).Anchor;
                var frame = new Frame(anchor.IsEmpty ? null : anchor.Value);
                _frames.Push(frame);
                if (frame.Anchor is { } name)
                {
                    _anchors[name] = new Anchored(frame, 0, current.Start);
                }

                break;
            case Scalar scalar:
                Count(current.Start, 1);
                if (!scalar.Anchor.IsEmpty)
                {
                    _anchors[scalar.Anchor.Value] = new Anchored(null, 1, current.Start);
                }

                AddToParent(1);
                break;
            case AnchorAlias alias:
                AddToParent(Expand(alias));
                break;
            case MappingEnd or SequenceEnd:
                var closed = _frames.Pop();
                if (closed.Anchor is { } closedName && _anchors.TryGetValue(closedName, out var named) && named.Open == closed)
                {
                    named.Open = null;
                    named.Size = closed.Size;
                }

                AddToParent(closed.Size);
                break;
        }

        return true;
    }

    /// <summary>The number of values <paramref name="alias"/> stands for, counted towards the limit.</summary>
    private long Expand(AnchorAlias alias)
    {
        var name = alias.Value.Value;
        if (!_anchors.TryGetValue(name, out var named))
        {
            throw Refuse(alias.Start,
                $"the alias '*{name}' names no anchor above it: an alias repeats a value marked '&{name}' earlier in the file, so add that anchor before this line or write the value here.");
        }

        if (named.Open is not null)
        {
            throw Refuse(alias.Start,
                $"the alias '*{name}' stands inside the value that '&{name}' on line {PipelineParser.LineOf(named.Start)}, column {PipelineParser.ColumnOf(named.Start)} marks, so that value would contain itself without end: write the value out, or move the alias outside it.");
        }

        _aliased = true;
        Count(alias.Start, named.Size);
        return named.Size;
    }

    private void Count(Mark at, long values)
    {
        _values += values;
        if (_values <= DocumentLimits.MaxNodes)
        {
            return;
        }

        throw Refuse(at, _aliased
            ? $"with its aliases (*name) expanded, the file holds more than {DocumentLimits.MaxNodes} values by here, far more than any pipeline, as an alias bomb would: use aliases that repeat small values, not aliases of values that hold aliases in turn."
            : $"the file holds more than {DocumentLimits.MaxNodes} values (keys, list items and values) by here, far more than any pipeline: split it into several pipelines.");
    }

    private void AddToParent(long values)
    {
        if (_frames.TryPeek(out var parent))
        {
            parent.Size += values;
        }
    }

    private static DocumentLimitException Refuse(Mark at, string message) =>
        new(new PipelineError(PipelineParser.LineOf(at), PipelineParser.ColumnOf(at), message));
}
