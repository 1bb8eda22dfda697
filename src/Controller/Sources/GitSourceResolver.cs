using System.Text;
using System.Text.RegularExpressions;
using CliWrap;
using CliWrap.Buffered;
using Farm.Core.Pipelines;

namespace Farm.Controller.Sources;

/// <summary>
/// Resolves revisions with <c>git ls-remote</c>, which asks the repository for its refs without
/// fetching anything. A full 40-hex commit id is taken as it is (ls-remote cannot look up commits;
/// the git action's fetch fails clearly if it does not exist).
/// </summary>
public sealed partial class GitSourceResolver : ISourceResolver
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public async Task<ResolvedRevision> ResolveAsync(GitSource source, string? requested, CancellationToken cancellationToken)
    {
        var target = requested ?? source.Commit ?? source.Tag ?? source.Branch;
        if (target is not null && FullCommit().IsMatch(target))
        {
            return new ResolvedRevision(target.ToLowerInvariant(), null);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        var result = await LsRemoteAsync(source.Repository, target ?? "HEAD", timeout.Token);
        var refs = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('\t'))
            .Where(parts => parts.Length == 2)
            .Select(parts => (Commit: parts[0].Trim(), Name: parts[1].Trim()))
            .ToList();

        if (target is null)
        {
            var head = refs.FirstOrDefault(r => r.Name == "HEAD");
            return head.Commit is null
                ? throw new SourceResolutionException($"repository '{source.Repository}' has no HEAD to follow; set a branch.")
                : new ResolvedRevision(head.Commit, null);
        }

        // An annotated tag's own object is not a commit; its peeled entry (^{}) names the commit.
        var match = refs.FirstOrDefault(r => r.Name == $"refs/tags/{target}^{{}}");
        if (match.Commit is null)
        {
            match = refs.FirstOrDefault(r => r.Name == $"refs/heads/{target}" || r.Name == $"refs/tags/{target}");
        }

        if (match.Commit is not null)
        {
            return new ResolvedRevision(match.Commit, target);
        }

        throw new SourceResolutionException(ShortCommit().IsMatch(target)
            ? $"repository '{source.Repository}' has no branch or tag '{target}'; if it is a commit, give its full 40-character id."
            : $"repository '{source.Repository}' has no branch or tag '{target}'.");
    }

    private static async Task<BufferedCommandResult> LsRemoteAsync(string repository, string pattern, CancellationToken cancellationToken)
    {
        BufferedCommandResult result;
        try
        {
            result = await Cli.Wrap("git")
                .WithArguments(["ls-remote", "--", repository, pattern])
                // Never ask a person for credentials: a controller has no terminal.
                .WithEnvironmentVariables(e => e.Set("GIT_TERMINAL_PROMPT", "0"))
                .WithValidation(CommandResultValidation.None)
                .ExecuteBufferedAsync(Encoding.UTF8, cancellationToken);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new SourceResolutionException($"git ls-remote of '{repository}' did not answer in {Timeout.TotalSeconds:0} s.");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new SourceResolutionException($"git is not installed on the controller ({e.Message}); install it with apt-get install git.");
        }

        if (result.ExitCode != 0)
        {
            throw new SourceResolutionException(result.StandardError.Trim() is { Length: > 0 } error ? error : $"git ls-remote exited with {result.ExitCode}.");
        }

        return result;
    }

    [GeneratedRegex("^[0-9a-fA-F]{40}$")]
    private static partial Regex FullCommit();

    [GeneratedRegex("^[0-9a-fA-F]{4,39}$")]
    private static partial Regex ShortCommit();
}
