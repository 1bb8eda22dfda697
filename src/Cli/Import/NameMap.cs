using System.Text;

namespace Farm.Cli.Import;

/// <summary>
/// Turns CodePipeline names into names Farm accepts, unique within one scope (a stage's actions,
/// the pipeline's stages, artifacts, namespaces or variables), and remembers each rename so that
/// references can follow it.
/// </summary>
/// <param name="kind">What is named, for notes: "stage", "artifact"...</param>
/// <param name="isAllowedFirst">Characters a name may start with.</param>
/// <param name="isAllowed">Characters a name may hold after the first.</param>
/// <param name="rule">The rule in words, for notes.</param>
/// <param name="comparer">How names are compared for uniqueness.</param>
internal sealed class NameMap(
    string kind, Func<char, bool> isAllowedFirst, Func<char, bool> isAllowed, string rule, StringComparer comparer)
{
    private const int MaxLength = 100;

    private readonly Dictionary<string, string> _renamed = new(StringComparer.Ordinal);
    private readonly HashSet<string> _used = new(comparer);

    /// <summary>Stage, action and artifact names: Farm's name rule.</summary>
    public static NameMap ForNames(string kind) => new(
        kind,
        char.IsAsciiLetterOrDigit,
        c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.',
        "letters, digits, '-', '_' or '.', starting with a letter or digit",
        StringComparer.OrdinalIgnoreCase);

    /// <summary>Namespaces: written before a '.' in references, so they hold no '.'.</summary>
    public static NameMap ForNamespaces() => new(
        "namespace",
        char.IsAsciiLetterOrDigit,
        c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_',
        "letters, digits, '-' or '_', starting with a letter or digit",
        StringComparer.Ordinal);

    /// <summary>Pipeline variables: Farm's variable name rule, case-sensitive.</summary>
    public static NameMap ForVariables() => new(
        "variable",
        c => char.IsAsciiLetter(c) || c == '_',
        c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_',
        "letters, digits, '_' or '-', starting with a letter or '_'",
        StringComparer.Ordinal);

    /// <summary>
    /// The Farm name for <paramref name="original"/>, made unique in this scope. Adds a note to
    /// <paramref name="notes"/> when it differs from the original.
    /// </summary>
    public string Add(string original, string where, List<ImportNote> notes)
    {
        var name = Clean(original);
        var candidate = name;
        for (var n = 2; !_used.Add(candidate); n++)
        {
            var suffix = "-" + n;
            candidate = (name.Length + suffix.Length > MaxLength ? name[..(MaxLength - suffix.Length)] : name) + suffix;
        }

        if (!string.Equals(candidate, original, StringComparison.Ordinal))
        {
            var why = string.Equals(name, original, StringComparison.Ordinal)
                ? "another name in the same place reads the same to Farm, which compares them ignoring case"
                : $"Farm {kind} names use {rule}";
            notes.Add(new ImportNote(where, $"{kind} '{original}' renamed '{candidate}': {why}"));
            _renamed.TryAdd(original, candidate);
        }

        return candidate;
    }

    /// <summary>The name <paramref name="original"/> was given by <see cref="Add"/>, or itself when it was never renamed.</summary>
    public string Lookup(string original) => _renamed.GetValueOrDefault(original, original);

    /// <summary>True when <paramref name="original"/> was added, renamed or not.</summary>
    public bool Contains(string original) => _renamed.ContainsKey(original) || _used.Contains(original);

    private string Clean(string original)
    {
        var name = new StringBuilder();
        foreach (var c in original)
        {
            if (name.Length == 0 && !isAllowedFirst(c))
            {
                // Leading punctuation is dropped ('_build' becomes 'build'); a leading digit where
                // only letters may start (variables) gets a '_' before it.
                if (!char.IsAsciiLetterOrDigit(c))
                {
                    continue;
                }

                name.Append('_');
            }

            name.Append(isAllowed(c) ? c : '-');
        }

        var text = name.Length == 0 ? kind : name.ToString();
        return text.Length > MaxLength ? text[..MaxLength] : text;
    }
}
