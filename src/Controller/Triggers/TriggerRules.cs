using Farm.Core.Pipelines;

namespace Farm.Controller.Triggers;

/// <summary>The filters of a source trigger, applied to a ref and to the files a push changed.</summary>
public static class TriggerRules
{
    public const string BranchPrefix = "refs/heads/";
    public const string TagPrefix = "refs/tags/";

    /// <summary>Null when the trigger takes <paramref name="gitRef"/> (a full ref name); otherwise why not.</summary>
    public static string? RefIgnoredBecause(TriggerDefinition trigger, string gitRef)
    {
        if (gitRef.StartsWith(BranchPrefix, StringComparison.Ordinal))
        {
            var branch = gitRef[BranchPrefix.Length..];
            return trigger.Branches.Includes(branch) ? null
                : trigger.Branches.Exclude.Any(p => Glob.IsMatch(p, branch)) ? $"branch '{branch}' is excluded"
                : $"branch '{branch}' is not included";
        }

        if (gitRef.StartsWith(TagPrefix, StringComparison.Ordinal))
        {
            var tag = gitRef[TagPrefix.Length..];
            // GlobFilter.Nothing (the default) and an empty include both mean no tags.
            return trigger.Tags.Include.Count == 0 || trigger.Tags.Include.SequenceEqual(GlobFilter.Nothing.Include) ? $"tag '{tag}' is not included (the trigger includes no tags)"
                : trigger.Tags.Includes(tag) ? null
                : trigger.Tags.Exclude.Any(p => Glob.IsMatch(p, tag)) ? $"tag '{tag}' is excluded"
                : $"tag '{tag}' is not included";
        }

        return $"'{gitRef}' is neither a branch nor a tag";
    }

    /// <summary>
    /// True when the trigger has no path filter, or one of <paramref name="changed"/> passes it.
    /// Tags change no files, so the path filter applies to branches only.
    /// </summary>
    public static bool PathsMatch(TriggerDefinition trigger, string gitRef, IReadOnlyCollection<string> changed) =>
        (trigger.Paths.Include.Count == 0 && trigger.Paths.Exclude.Count == 0)
        || gitRef.StartsWith(TagPrefix, StringComparison.Ordinal)
        || changed.Any(trigger.Paths.Includes);

    /// <summary>The branch name, or <c>tag NAME</c>, for messages.</summary>
    public static string Describe(string gitRef) =>
        gitRef.StartsWith(BranchPrefix, StringComparison.Ordinal) ? gitRef[BranchPrefix.Length..]
        : gitRef.StartsWith(TagPrefix, StringComparison.Ordinal) ? "tag " + gitRef[TagPrefix.Length..]
        : gitRef;

    public static string Short(string commit) => commit.Length > 7 ? commit[..7] : commit;

    /// <summary>The git action a source trigger watches; null when the pipeline has none of that name.</summary>
    public static GitSource? SourceOf(PipelineDefinition pipeline, TriggerDefinition trigger) =>
        pipeline.Stages.SelectMany(s => s.Actions)
            .FirstOrDefault(a => a.Type == ActionType.Git && a.Name == trigger.Source)?.Git;
}
