using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Farm.Core.Pipelines;

/// <summary>
/// Reads a pipeline file (YAML) into a <see cref="PipelineDefinition"/>, or lists every problem in
/// it, each with its line, column and a sentence saying what to change.
/// </summary>
/// <remarks>
/// The file's shape, key by key, is documented on the model types; in short:
/// <c>name</c>, optional <c>variables</c> (name, default, description), optional
/// <c>executionMode</c> (superseded | queued | parallel) and <c>stages</c> (name, actions, optional
/// <c>onFailure</c> and <c>beforeEntry</c>), each action with <c>name</c>, <c>type</c>,
/// optional <c>runOrder</c> and <c>timeout</c>, and the keys of its type: container and shell
/// actions take <c>commands</c>, <c>env</c>, <c>runsOn</c>, <c>namespace</c>, <c>inputArtifacts</c>
/// and <c>outputArtifacts</c> (container also <c>image</c> and <c>network</c>); git actions a
/// <c>repository</c>, one of <c>branch</c>, <c>tag</c> and <c>commit</c>, <c>depth</c>, <c>webUrl</c>
/// and exactly one output artifact; approval actions <c>message</c> and <c>reviewUrl</c>; http
/// actions <c>url</c>, <c>method</c>, <c>headers</c>, <c>body</c>, <c>expectedStatus</c> and
/// <c>outputs</c>; pipeline actions <c>pipeline</c>, <c>variables</c> and <c>wait</c>. An optional
/// top-level <c>triggers</c> list holds source triggers (a git action polled or pushed by webhook)
/// and schedule triggers (five-field cron in a time zone).
/// References (<c>#{...}</c>) and input artifacts may only name what an action that runs earlier
/// provides: one in an earlier stage, or in the same stage with a lower runOrder.
/// Error messages start in lowercase (they read after "line L, column C: ") and end with a period.
/// This file holds the entry point and the top level; the other parts of this class read
/// variables, stages and their rules, actions and their artifacts, each action type's own keys,
/// triggers, references, and the shared node helpers.
/// </remarks>
public static partial class PipelineParser
{
    /// <summary>The shortest action timeout accepted.</summary>
    public static readonly TimeSpan MinTimeout = TimeSpan.FromSeconds(1);

    /// <summary>The longest action timeout accepted, except for approvals.</summary>
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromHours(24);

    /// <summary>The longest timeout an approval action accepts: a person may take a while to decide.</summary>
    public static readonly TimeSpan MaxApprovalTimeout = TimeSpan.FromDays(30);

    private const string TopLevel = "at the top level of the file";

    private static readonly string[] TopKeys = ["name", "variables", "stages", "executionMode", "triggers", "protected"];

    /// <summary>
    /// Parses <paramref name="yaml"/>. Never throws: a file that is not YAML at all gives one error
    /// at the place the YAML reader stopped; otherwise every problem found is listed, sorted by
    /// line then column (at most <see cref="DocumentLimits.MaxErrors"/>, then a line that says how
    /// many more there are), and <see cref="ParseResult.Pipeline"/> is null. A null or empty text is
    /// reported as an empty file. A file past one of <see cref="DocumentLimits"/> (size, nesting,
    /// values once aliases are expanded) or with a circular alias gives that one error, found
    /// before anything walks the file.
    /// </summary>
    public static ParseResult Parse(string yaml)
    {
        yaml ??= "";
        if (TooLarge(yaml) is { } tooLarge)
        {
            return new ParseResult(null, [tooLarge]);
        }

        var context = new ParseContext();
        var stream = new YamlStream();
        var reader = new DuplicateKeyFilter(new StructureLimitFilter(new Parser(new StringReader(yaml))), context.Errors);
        try
        {
            stream.Load(reader);
        }
        catch (DocumentLimitException ex)
        {
            // Too deep, too large once aliases are expanded, or circular: the rest is not worth reading.
            return new ParseResult(null, [ex.Error]);
        }
        catch (YamlException ex)
        {
            // Everything after a syntax error is guesswork, so report only the syntax error.
            return NotYaml(ex.Start, ex.Message);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            // YamlDotNet 18 lets these escape on some malformed input (an unclosed flow collection
            // followed by more text, a key without a value) instead of a YamlException.
            return NotYaml(reader.LastGoodEnd, "the YAML reader could not make sense of what follows this point.");
        }

        if (stream.Documents.Count == 0 || IsNull(stream.Documents[0].RootNode))
        {
            return new ParseResult(null, [new PipelineError(1, 1,
                "the file is empty: a pipeline needs at least a 'name' and a list of 'stages'.")]);
        }

        if (stream.Documents.Count > 1)
        {
            context.Report(stream.Documents[1].RootNode,
                "the file holds more than one YAML document: keep one pipeline per file and remove the '---' separator.");
        }

        ReportReferencesLostToComments(context, stream.Documents[0].RootNode, yaml);
        PipelineDefinition? pipeline = null;
        if (stream.Documents[0].RootNode is YamlMappingNode root)
        {
            pipeline = ReadPipeline(context, root);
        }
        else
        {
            WrongKind(context, stream.Documents[0].RootNode, "the file", "a mapping with 'name' and 'stages'");
        }

        if (context.Errors.Count > 0)
        {
            var sorted = context.Errors.OrderBy(e => e.Line).ThenBy(e => e.Column).ToList();
            if (sorted.Count > DocumentLimits.MaxErrors)
            {
                var more = sorted.Count - DocumentLimits.MaxErrors;
                sorted.RemoveRange(DocumentLimits.MaxErrors, more);
                sorted.Add(new PipelineError(0, 0, $"{more} more problems follow, not listed: fix the ones above and validate the file again."));
            }

            return new ParseResult(null, sorted);
        }

        return new ParseResult(pipeline, []);
    }

    /// <summary>
    /// An error at the place where <paramref name="yaml"/> passes <see cref="DocumentLimits.MaxBytes"/>
    /// in UTF-8, or null when it is within the limit. Checked before the YAML reader sees any of it.
    /// </summary>
    private static PipelineError? TooLarge(string yaml)
    {
        // A char is at most 3 UTF-8 bytes (a surrogate pair is 4 for two), so most files need no count.
        if (yaml.Length <= DocumentLimits.MaxBytes / 3)
        {
            return null;
        }

        var bytes = System.Text.Encoding.UTF8.GetByteCount(yaml);
        if (bytes <= DocumentLimits.MaxBytes)
        {
            return null;
        }

        // The place of the character that holds the first byte past the limit.
        var (line, column, counted) = (1, 1, 0);
        foreach (var c in yaml)
        {
            counted += c < 0x80 ? 1 : c < 0x800 || char.IsSurrogate(c) ? 2 : 3;
            if (counted > DocumentLimits.MaxBytes)
            {
                break;
            }

            (line, column) = c == '\n' ? (line + 1, 1) : (line, column + 1);
        }

        return new PipelineError(line, column,
            $"{Lowercase(DocumentLimits.TooLarge(bytes))} The file passes the limit here: split it into several pipelines, or move long scripts into files in the repository.");
    }

    private static string Lowercase(string sentence) => sentence.Length > 0 ? char.ToLowerInvariant(sentence[0]) + sentence[1..] : sentence;

    private static ParseResult NotYaml(Mark where, string reason)
    {
        // YamlDotNet's sentences start in uppercase; ours continue after a colon.
        reason = reason.Length > 0 ? Lowercase(reason) : "the reader stopped here.";
        return new ParseResult(null, [new PipelineError(
            LineOf(where),
            ColumnOf(where),
            $"the file is not valid YAML: {reason} Check the indentation, quoting and brackets near here.")]);
    }

    /// <summary>The 1-based line of <paramref name="mark"/>, as <see cref="PipelineError.Line"/> holds it.</summary>
    internal static int LineOf(Mark mark) => (int)Math.Clamp(mark.Line, 1, int.MaxValue);

    /// <summary>The 1-based column of <paramref name="mark"/>, as <see cref="PipelineError.Column"/> holds it.</summary>
    internal static int ColumnOf(Mark mark) => (int)Math.Clamp(mark.Column, 1, int.MaxValue);

    private static PipelineDefinition ReadPipeline(ParseContext context, YamlMappingNode root)
    {
        var fields = ReadKeys(context, root, TopKeys, TopLevel);
        var name = ReadName(context, fields, root, "pipeline", TopLevel);

        // Variables first, whatever their place in the file: references in actions are checked against them.
        var variables = ReadVariables(context, fields);
        var executionMode = ReadExecutionMode(context, fields);
        var isProtected = ReadBool(context, fields, "protected", TopLevel) ?? false;
        var stages = ReadStages(context, fields, root, name, isProtected);

        // References and input artifacts may name what a later part of the file declares.
        foreach (var check in context.AfterStages)
        {
            check();
        }

        // Triggers last: a source trigger names a git action, which may be in any stage.
        var triggers = ReadTriggers(context, fields, stages);

        return new PipelineDefinition(name ?? "", variables, stages)
        {
            ExecutionMode = executionMode,
            Triggers = triggers,
            Protected = isProtected,
        };
    }
}
