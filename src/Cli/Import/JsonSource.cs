using System.Text;
using System.Text.Json;
using Farm.Cli.Commands;

namespace Farm.Cli.Import;

/// <summary>
/// A parsed JSON document that also knows the line of every value, by JSON path, so that import
/// errors can say where they are (<see cref="JsonDocument"/> alone keeps no line numbers).
/// </summary>
internal sealed class JsonSource : IDisposable
{
    private readonly JsonDocument _document;
    private readonly Dictionary<string, int> _lines;

    private JsonSource(JsonDocument document, Dictionary<string, int> lines)
    {
        _document = document;
        _lines = lines;
    }

    public JsonElement Root => _document.RootElement;

    /// <summary>
    /// How deeply objects and lists may nest: deep enough for any declaration (they nest about eight
    /// levels), shallow enough that no walk of the document can run out of stack. The same as a
    /// pipeline file's limit (<c>MaxDepth</c> in the core library, which the CLI does
    /// not reference) and System.Text.Json's default, named here so a change of default cannot loosen it.
    /// </summary>
    public const int MaxDepth = 64;

    /// <summary>The readers' own limit, one above <see cref="MaxDepth"/>: the line index refuses that level itself, with the place.</summary>
    private static readonly JsonReaderOptions Reading = new() { MaxDepth = MaxDepth + 1 };

    /// <summary>
    /// Parses <paramref name="text"/>; on malformed JSON, JSON nested past
    /// <see cref="MaxDepth"/> or a text over <see cref="PipelineFile.MaxBytes"/>,
    /// returns null and the error with its line and path.
    /// </summary>
    public static JsonSource? TryParse(string text, out ImportError? error)
    {
        var utf8 = Encoding.UTF8.GetBytes(text);
        if (utf8.Length > PipelineFile.MaxBytes)
        {
            error = new ImportError(0, "$",
                $"the input is {utf8.Length} bytes, over the {PipelineFile.MaxBytes} bytes (1 MiB) a pipeline declaration may take: import one pipeline at a time.");
            return null;
        }

        try
        {
            // The line index first: it reads the text once with its own stack and refuses a deep one.
            var lines = IndexLines(utf8);
            var document = JsonDocument.Parse(utf8, new JsonDocumentOptions { MaxDepth = Reading.MaxDepth });
            error = null;
            return new JsonSource(document, lines);
        }
        catch (JsonException e) when (e.Data[TooDeep] is true)
        {
            error = new ImportError((int)e.LineNumber!.Value + 1, e.Path!, e.Message);
            return null;
        }
        catch (JsonException e)
        {
            // The reader's message ends with " Path: ... | LineNumber: ..."; those parts are given apart.
            var reason = e.Message;
            var cut = reason.IndexOf(" Path:", StringComparison.Ordinal);
            if (cut > 0)
            {
                reason = reason[..cut];
            }

            // The reader reports no path; the walk that failed recorded the one it reached.
            var line = e.LineNumber is { } zeroBased ? (int)zeroBased + 1 : 0;
            var path = e.Data["path"] as string ?? (string.IsNullOrEmpty(e.Path) ? "$" : e.Path);
            error = new ImportError(line, path, $"not valid JSON: {reason.TrimEnd()} Save the output of 'aws codepipeline get-pipeline --name NAME' as it is.");
            return null;
        }
    }

    /// <summary>The 1-based line where the value at <paramref name="path"/> starts; 0 when unknown.</summary>
    public int LineOf(string path) => _lines.GetValueOrDefault(path);

    public void Dispose() => _document.Dispose();

    /// <summary><paramref name="parent"/> extended by a property, in the reader's own path form.</summary>
    public static string Child(string parent, string property) =>
        property.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') ? $"{parent}.{property}" : $"{parent}['{property}']";

    /// <summary><paramref name="parent"/> extended by an array index.</summary>
    public static string Item(string parent, int index) => $"{parent}[{index}]";

    /// <summary>The key in <see cref="Exception.Data"/> that marks a document nested too deeply.</summary>
    private const string TooDeep = "tooDeep";

    private static Dictionary<string, int> IndexLines(byte[] utf8) => Walk(utf8);

    /// <summary>
    /// Lines by path. On malformed JSON the exception carries the path reached in <c>Data["path"]</c>;
    /// past <see cref="MaxDepth"/> it is a sentence of its own, marked <see cref="TooDeep"/>.
    /// </summary>
    private static Dictionary<string, int> Walk(byte[] utf8)
    {
        var lineStarts = new List<long> { 0 };
        for (var i = 0; i < utf8.Length; i++)
        {
            if (utf8[i] == (byte)'\n')
            {
                lineStarts.Add(i + 1);
            }
        }

        var lines = new Dictionary<string, int>(StringComparer.Ordinal);
        var frames = new List<Frame>();
        var reader = new Utf8JsonReader(utf8, Reading);
        while (true)
        {
            try
            {
                if (!reader.Read())
                {
                    break;
                }
            }
            catch (JsonException e)
            {
                e.Data["path"] = PathOf(frames);
                throw;
            }

            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                    frames[^1].Property = reader.GetString();
                    break;
                case JsonTokenType.EndObject or JsonTokenType.EndArray:
                    frames.RemoveAt(frames.Count - 1);
                    break;
                default:
                    if (frames.Count > 0 && frames[^1].IsArray)
                    {
                        frames[^1].Index++;
                    }

                    var index = lineStarts.BinarySearch(reader.TokenStartIndex);
                    lines.TryAdd(PathOf(frames), index >= 0 ? index + 1 : ~index);
                    if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                    {
                        if (frames.Count == MaxDepth)
                        {
                            var line = lines[PathOf(frames)];
                            throw new JsonException(
                                $"objects and lists nest more than {MaxDepth} levels deep here, and a pipeline declaration needs about eight: give the output of 'aws codepipeline get-pipeline' as it is.",
                                PathOf(frames),
                                line - 1,
                                null)
                            { Data = { [TooDeep] = true } };
                        }

                        frames.Add(new Frame(reader.TokenType == JsonTokenType.StartArray));
                    }

                    break;
            }
        }

        return lines;
    }

    /// <summary>
    /// The path of the value being read: each object's current property, each array's current
    /// item; an array whose first item has not been read yet stands for itself.
    /// </summary>
    private static string PathOf(List<Frame> frames)
    {
        var path = "$";
        foreach (var frame in frames)
        {
            path = frame.IsArray ? frame.Index < 0 ? path : Item(path, frame.Index)
                : frame.Property is { } property ? Child(path, property)
                : path;
        }

        return path;
    }

    private sealed class Frame(bool isArray)
    {
        public bool IsArray { get; } = isArray;

        public int Index { get; set; } = -1;

        public string? Property { get; set; }
    }
}
