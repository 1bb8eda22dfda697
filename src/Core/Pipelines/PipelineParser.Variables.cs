using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Farm.Core.Pipelines;

/// <summary>Reading the <c>variables</c> list.</summary>
public static partial class PipelineParser
{
    private const int MaxVariableNameLength = 100;

    private static readonly string[] VariableKeys = ["name", "default", "description"];

    // Dashes are allowed after the first character, as in CodePipeline variable names.
    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex VariableNamePattern();

    /// <summary>
    /// The declared variables, in file order. Also records their names in the context, so that
    /// stages can be checked against them whatever order the file uses.
    /// </summary>
    private static List<VariableDefinition> ReadVariables(ParseContext context, Fields fields)
    {
        var variables = new List<VariableDefinition>();
        if (!fields.TryGetValue("variables", out var field) || IsNull(field.Value))
        {
            return variables;
        }

        if (field.Value is not YamlSequenceNode list)
        {
            WrongKind(context, field.Value, $"'variables' {TopLevel}", "a list of variables, each with a name");
            return variables;
        }

        // Variable names are case-sensitive, like the environment variables they often feed.
        var seen = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        for (var index = 0; index < list.Children.Count; index++)
        {
            var item = list.Children[index];
            if (item is not YamlMappingNode map)
            {
                WrongKind(context, item, $"variable {index + 1}", "a mapping with name, default and description");
                continue;
            }

            var peeked = PeekName(map);
            var where = peeked is null ? $"in variable {index + 1}" : $"in variable '{peeked}'";
            var variableFields = ReadKeys(context, map, VariableKeys, where);
            var name = ReadRequiredText(context, variableFields, map, "name", where, "the variable's name, e.g. name: greeting");
            if (name is not null)
            {
                var nameNode = variableFields["name"].Value;
                if (name.Length > MaxVariableNameLength || !VariableNamePattern().IsMatch(name))
                {
                    context.Report(nameNode,
                        $"invalid variable name '{Shorten(name)}': use up to {MaxVariableNameLength} letters, digits, '_' or '-', starting with a letter or '_'.");
                }

                if (seen.TryGetValue(name, out var first))
                {
                    context.Report(nameNode,
                        $"duplicate variable name '{name}': it is already declared on line {LineOf(first.Start)}; rename or remove one of them.");
                }
                else
                {
                    seen.Add(name, nameNode);
                    context.Variables.Add(name);
                }
            }

            var defaultValue = ReadOptionalText(context, variableFields, "default", where) ?? "";
            var description = ReadOptionalText(context, variableFields, "description", where) ?? "";
            variables.Add(new VariableDefinition(name ?? "", defaultValue, description));
        }

        return variables;
    }
}
