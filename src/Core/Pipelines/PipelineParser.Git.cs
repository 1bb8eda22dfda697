using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Farm.Core.Pipelines;

/// <summary>Reading the keys of a <c>type: git</c> action.</summary>
public static partial class PipelineParser
{
    private const int MaxDepth = 100_000;

    private const string RepositoryForms =
        "use an absolute local path, a file://, git://, http://, https:// or ssh:// URL, or user@host:path, e.g. https://git.example.com/team/app.git";

    private static readonly string[] RevisionKeys = ["branch", "tag", "commit"];

    [GeneratedRegex("^[0-9a-fA-F]{7,40}$", RegexOptions.CultureInvariant)]
    private static partial Regex CommitPattern();

    // Git's scp-like syntax: user@host:path (host a DNS name or a bracketed IPv6 address).
    [GeneratedRegex(@"^[A-Za-z0-9._~-]+@(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:]+\]):\S+$", RegexOptions.CultureInvariant)]
    private static partial Regex ScpLikePattern();

    /// <summary>
    /// The repository and revision of a git action; null when the repository is missing or unusable
    /// (reported). Git fields hold no references: triggers watch them and an execution pins the
    /// revision when it starts, both before any reference could be resolved.
    /// </summary>
    private static GitSource? ReadGitSource(ParseContext context, Fields fields, YamlMappingNode map, string where)
    {
        var repository = ReadRequiredText(context, fields, map, "repository", where,
            "the repository to fetch, e.g. https://git.example.com/team/app.git");
        if (repository is not null)
        {
            var node = fields["repository"].Value;
            var problem = NoReferences(repository, "repository") ?? RepositoryProblem(repository);
            if (problem is not null)
            {
                context.Report(node, $"invalid repository '{Shorten(repository)}' {where}: {problem}.");
                repository = null;
            }
        }

        // At most one revision: the first one written is kept, the others are reported.
        var revisions = RevisionKeys.Where(fields.ContainsKey).OrderBy(key => fields[key].Key.Start.Index).ToList();
        foreach (var extra in revisions.Skip(1))
        {
            context.Report(fields[extra].Key,
                $"'{extra}' {where} cannot be combined with '{revisions[0]}': a git action checks out one branch, tag or commit; keep one of them.");
        }

        var branch = revisions.FirstOrDefault() == "branch" ? ReadGitRef(context, fields, "branch", where, "a branch name such as main") : null;
        var tag = revisions.FirstOrDefault() == "tag" ? ReadGitRef(context, fields, "tag", where, "a tag name such as v1.2.0") : null;
        var commit = revisions.FirstOrDefault() == "commit" ? ReadCommit(context, fields, where) : null;
        var depth = ReadDepth(context, fields, where);
        var webUrl = ReadWebUrl(context, fields, where);
        return repository is null ? null : new GitSource(repository, branch, tag, commit, depth, webUrl);
    }

    /// <summary>A reason when <paramref name="text"/> holds a reference, for fields that take none.</summary>
    private static string? NoReferences(string text, string key) =>
        text.Contains("#{", StringComparison.Ordinal)
            ? $"'{key}' cannot hold #{{...}} references, as triggers watch it and an execution pins it when it starts; write it out in full"
            : null;

    /// <summary>Why <paramref name="text"/> is not a repository git can fetch from; null when it is.</summary>
    private static string? RepositoryProblem(string text)
    {
        if (text.StartsWith('/'))
        {
            return null;
        }

        var schemeEnd = text.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd > 0)
        {
            var scheme = text[..schemeEnd].ToLowerInvariant();
            if (scheme is not ("file" or "git" or "http" or "https" or "ssh"))
            {
                return $"the scheme '{text[..schemeEnd]}' is not supported; {RepositoryForms}";
            }

            if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || text.Any(char.IsWhiteSpace))
            {
                return $"it is not a well-formed URL; {RepositoryForms}";
            }

            if (scheme == "file")
            {
                return uri.Host.Length == 0 && uri.AbsolutePath.Length > 1
                    ? null
                    : "a file:// URL names a path on the agent, so write it with three slashes, e.g. file:///srv/git/app.git";
            }

            if (uri.Host.Length == 0 || uri.AbsolutePath.Length <= 1)
            {
                return $"the URL needs a host and a repository path; {RepositoryForms}";
            }

            if (scheme is "http" or "https" && uri.UserInfo.Contains(':', StringComparison.Ordinal))
            {
                return "the URL holds a password, which would be stored and shown with the pipeline; remove it and give the agent the credentials instead (a Git credential helper or an SSH key)";
            }

            return null;
        }

        if (ScpLikePattern().IsMatch(text))
        {
            return null;
        }

        return text.Contains("://", StringComparison.Ordinal) || text.Contains('@', StringComparison.Ordinal)
            ? $"it is not a well-formed URL; {RepositoryForms}"
            : $"a local repository path must be absolute (start with '/'); {RepositoryForms}";
    }

    /// <summary>A branch or tag name; null when unusable (reported).</summary>
    private static string? ReadGitRef(ParseContext context, Fields fields, string key, string where, string hint)
    {
        var text = ReadOptionalText(context, fields, key, where);
        if (text is null)
        {
            return null;
        }

        var node = fields[key].Value;
        if (text.Length == 0)
        {
            context.Report(fields[key].Key, $"'{key}' {where} is empty: set it to {hint}, or remove it to follow the remote's default branch.");
            return null;
        }

        var problem = NoReferences(text, key) ?? GitRefProblem(text);
        if (problem is not null)
        {
            context.Report(node, $"invalid {key} '{Shorten(text)}' {where}: {problem}.");
            return null;
        }

        return text;
    }

    /// <summary>Why <paramref name="name"/> breaks git's rules for ref names (git check-ref-format); null when it does not.</summary>
    private static string? GitRefProblem(string name)
    {
        const string rule = "write a name git accepts, e.g. main or release/1.2";
        if (name.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '~' or '^' or ':' or '?' or '*' or '[' or '\\'))
        {
            return $"it holds a space, a control character or one of ~ ^ : ? * [ \\, which git does not allow in names; {rule}";
        }

        if (name.StartsWith('-') || name.StartsWith('/') || name.EndsWith('/') || name.EndsWith('.')
            || name.EndsWith(".lock", StringComparison.Ordinal) || name.Contains("..", StringComparison.Ordinal)
            || name.Contains("//", StringComparison.Ordinal) || name.Contains("@{", StringComparison.Ordinal)
            || name == "@" || name.Split('/').Any(part => part.StartsWith('.')))
        {
            return $"git does not allow a name that starts with '-' or '/', ends with '/', '.' or '.lock', or holds '..', '//', '@{{' or a part starting with '.'; {rule}";
        }

        return null;
    }

    /// <summary>A commit id, lowercased so it compares equal to the ids git prints; null when unusable (reported).</summary>
    private static string? ReadCommit(ParseContext context, Fields fields, string where)
    {
        var text = ReadOptionalText(context, fields, "commit", where);
        if (text is null)
        {
            return null;
        }

        if (!CommitPattern().IsMatch(text))
        {
            var problem = NoReferences(text, "commit") ?? "write the commit id as 7 to 40 hexadecimal digits, e.g. 3f2a9c1";
            context.Report(IsNull(fields["commit"].Value) ? fields["commit"].Key : fields["commit"].Value,
                $"invalid commit '{Shorten(text)}' {where}: {problem}.");
            return null;
        }

        return text.ToLowerInvariant();
    }

    private static int? ReadDepth(ParseContext context, Fields fields, string where)
    {
        var text = ReadOptionalText(context, fields, "depth", where);
        if (text is null)
        {
            return null;
        }

        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var depth) || depth is < 1 or > MaxDepth)
        {
            context.Report(fields["depth"].Value,
                $"depth '{Shorten(text)}' {where} is not valid: use a whole number of commits from 1 to {MaxDepth}, or remove it to fetch the full history.");
            return null;
        }

        return depth;
    }

    private static string? ReadWebUrl(ParseContext context, Fields fields, string where)
    {
        var text = ReadOptionalText(context, fields, "webUrl", where);
        if (text is null)
        {
            return null;
        }

        if (!IsHttpUrl(text))
        {
            var problem = NoReferences(text, "webUrl")
                ?? "write the absolute http or https URL of the repository's web pages, e.g. https://git.example.com/team/app";
            context.Report(IsNull(fields["webUrl"].Value) ? fields["webUrl"].Key : fields["webUrl"].Value,
                $"invalid webUrl '{Shorten(text)}' {where}: {problem}.");
            return null;
        }

        return text;
    }

    /// <summary>True for an absolute http or https URL with a host and no spaces.</summary>
    private static bool IsHttpUrl(string text) =>
        !text.Any(char.IsWhiteSpace)
        && Uri.TryCreate(text, UriKind.Absolute, out var uri)
        && uri.Scheme is "http" or "https"
        && uri.Host.Length > 0;
}
