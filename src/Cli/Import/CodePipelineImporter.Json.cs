using System.Text.Json;

namespace Farm.Cli.Import;

/// <summary>Reading the JSON: values by key, with an error at the value's path and line when one has the wrong kind.</summary>
internal sealed partial class CodePipelineImporter
{
    /// <summary>The value under <paramref name="key"/>; null when absent, JSON null, or the parent is not an object.</summary>
    private static JsonElement? Get(JsonElement parent, string key) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(key, out var value) && value.ValueKind != JsonValueKind.Null
            ? value
            : null;

    /// <summary>Text under <paramref name="key"/> without reporting anything; for the pass that only collects names.</summary>
    private static string? TextOf(JsonElement parent, string key) =>
        Get(parent, key) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;

    private string? OptionalText(JsonElement parent, string path, string key)
    {
        if (Get(parent, key) is not { } value)
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.String)
        {
            return value.GetString();
        }

        // Numbers and booleans in a string map keep the text written.
        if (value.ValueKind is JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False)
        {
            return value.GetRawText();
        }

        Error(JsonSource.Child(path, key), $"'{key}' must be text, not {Describe(value)}.");
        return null;
    }

    private string? RequiredText(JsonElement parent, string path, string key, string what)
    {
        if (Get(parent, key) is null)
        {
            Error(path, $"missing '{key}' ({what}): the input does not look like the output of 'aws codepipeline get-pipeline'.");
            return null;
        }

        var text = OptionalText(parent, path, key);
        if (text is { Length: 0 })
        {
            Error(JsonSource.Child(path, key), $"'{key}' is empty: give {what}.");
            return null;
        }

        return text;
    }

    private JsonElement? OptionalArray(JsonElement parent, string path, string key)
    {
        if (Get(parent, key) is not { } value)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            Error(JsonSource.Child(path, key), $"'{key}' must be a list, not {Describe(value)}.");
            return null;
        }

        return value;
    }

    private JsonElement? RequiredArray(JsonElement parent, string path, string key, string what)
    {
        if (Get(parent, key) is null)
        {
            Error(path, $"missing '{key}' ({what}): the input does not look like the output of 'aws codepipeline get-pipeline'.");
            return null;
        }

        var list = OptionalArray(parent, path, key);
        if (list is { } items && items.GetArrayLength() == 0)
        {
            Error(JsonSource.Child(path, key), $"'{key}' is empty: a pipeline needs {what}.");
            return null;
        }

        return list;
    }

    private JsonElement? OptionalObject(JsonElement parent, string path, string key)
    {
        if (Get(parent, key) is not { } value)
        {
            return null;
        }

        return IsObject(value, JsonSource.Child(path, key), $"'{key}'") ? value : null;
    }

    private int? OptionalNumber(JsonElement parent, string path, string key)
    {
        if (Get(parent, key) is not { } value)
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number))
        {
            return number;
        }

        if (value.ValueKind == JsonValueKind.String && int.TryParse(value.GetString(), System.Globalization.CultureInfo.InvariantCulture, out number))
        {
            return number;
        }

        Error(JsonSource.Child(path, key), $"'{key}' must be a whole number, not {Describe(value)}.");
        return null;
    }

    /// <summary>A string map such as <c>configuration</c>, in file order; values that are not text keep their JSON.</summary>
    private List<KeyValuePair<string, string>> StringMap(JsonElement parent, string path, string key)
    {
        var map = new List<KeyValuePair<string, string>>();
        if (OptionalObject(parent, path, key) is { } value)
        {
            foreach (var property in value.EnumerateObject())
            {
                var text = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() ?? "" : property.Value.GetRawText();
                map.Add(new(property.Name, text));
            }
        }

        return map;
    }

    /// <summary>The <c>name</c> of each item of a list of <c>{name: ...}</c> objects, such as <c>inputArtifacts</c>.</summary>
    private List<string> Names(JsonElement parent, string path, string key)
    {
        var names = new List<string>();
        if (OptionalArray(parent, path, key) is not { } list)
        {
            return names;
        }

        var index = 0;
        foreach (var item in list.EnumerateArray())
        {
            var itemPath = JsonSource.Item(JsonSource.Child(path, key), index++);
            if (IsObject(item, itemPath, "an artifact") && RequiredText(item, itemPath, "name", "the artifact's name") is { } name)
            {
                names.Add(name);
            }
        }

        return names;
    }

    /// <summary>A list of text, such as <c>commands</c> or <c>files</c>.</summary>
    private List<string> Texts(JsonElement parent, string path, string key)
    {
        var texts = new List<string>();
        if (OptionalArray(parent, path, key) is not { } list)
        {
            return texts;
        }

        var index = 0;
        foreach (var item in list.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.String)
            {
                texts.Add(item.GetString() ?? "");
            }
            else
            {
                Error(JsonSource.Item(JsonSource.Child(path, key), index), $"must be text, not {Describe(item)}.");
            }

            index++;
        }

        return texts;
    }

    private bool IsObject(JsonElement value, string path, string what)
    {
        if (value.ValueKind == JsonValueKind.Object)
        {
            return true;
        }

        Error(path, $"{what} must be a JSON object, not {Describe(value)}.");
        return false;
    }

    private void Error(string path, string message) => _errors.Add(new ImportError(_source.LineOf(path), path, message));

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "a list",
        JsonValueKind.String => "text",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };
}
