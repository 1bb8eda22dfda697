using System.Text.Json;
using System.Text.RegularExpressions;

namespace Farm.Controller.Triggers;

/// <summary>
/// Reads the push payload GitHub, GitLab and Gitea share: <c>ref</c>, <c>after</c>,
/// <c>commits[].added/modified/removed</c>, and the repository's addresses under names that differ
/// by host.
/// </summary>
public static partial class PushPayload
{
    /// <param name="urlFields">Object and property names to read addresses from, as <c>repository.clone_url</c>.</param>
    public static PushEvent Read(ReadOnlySpan<byte> body, IReadOnlyList<string> urlFields)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body.ToArray());
        }
        catch (JsonException e)
        {
            throw new WebhookPayloadException($"the body is not JSON ({e.Message}); set the webhook's content type to application/json.");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new WebhookPayloadException("the body is not a JSON object.");
            }

            var gitRef = String(root, "ref") ?? throw new WebhookPayloadException("the push has no 'ref'.");
            var after = String(root, "after") ?? throw new WebhookPayloadException("the push has no 'after' commit.");
            if (!Commit().IsMatch(after))
            {
                throw new WebhookPayloadException($"'after' is '{Shorten(after)}', not a commit id.");
            }

            var deleted = (root.TryGetProperty("deleted", out var d) && d.ValueKind == JsonValueKind.True) || after.All(c => c == '0');

            var files = new SortedSet<string>(StringComparer.Ordinal);
            if (root.TryGetProperty("commits", out var commits) && commits.ValueKind == JsonValueKind.Array)
            {
                foreach (var commit in commits.EnumerateArray().Where(c => c.ValueKind == JsonValueKind.Object))
                {
                    foreach (var kind in (string[])["added", "modified", "removed"])
                    {
                        if (commit.TryGetProperty(kind, out var list) && list.ValueKind == JsonValueKind.Array)
                        {
                            files.UnionWith(list.EnumerateArray().Where(f => f.ValueKind == JsonValueKind.String).Select(f => f.GetString()!));
                        }
                    }
                }
            }

            var urls = new List<string>();
            foreach (var field in urlFields)
            {
                var (objectName, property) = (field[..field.IndexOf('.')], field[(field.IndexOf('.') + 1)..]);
                if (root.TryGetProperty(objectName, out var owner) && owner.ValueKind == JsonValueKind.Object
                    && String(owner, property) is { Length: > 0 } url)
                {
                    urls.Add(url);
                }
            }

            if (urls.Count == 0)
            {
                throw new WebhookPayloadException($"the push names no repository address (looked for {string.Join(", ", urlFields)}).");
            }

            return new PushEvent(gitRef, after.ToLowerInvariant(), deleted, files.ToList(), urls);
        }
    }

    private static string? String(JsonElement owner, string property) =>
        owner.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string Shorten(string value) => value.Length > 50 ? value[..50] + "…" : value;

    // SHA-1 or SHA-256 repositories.
    [GeneratedRegex("^(?:[0-9a-fA-F]{40}|[0-9a-fA-F]{64})$")]
    private static partial Regex Commit();
}
