using System.Text;
using CliWrap;
using CliWrap.Buffered;
using Farm.Controller.Sources;

namespace Farm.Controller.Triggers;

/// <summary>
/// Asks a repository for its refs with <c>git ls-remote</c>, which fetches nothing: every branch and
/// tag head for polling, or one ref's commit for checking a pushed one. Thread-safe; cancellable;
/// throws <see cref="SourceResolutionException"/> with git's own message.
/// </summary>
public sealed class GitRemote
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>Full ref name (<c>refs/heads/main</c>, <c>refs/tags/v1</c>) to commit; an annotated tag maps to the commit it points at.</summary>
    public async Task<Dictionary<string, string>> ListHeadsAsync(string repository, CancellationToken cancellationToken)
    {
        var heads = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (commit, name) in await LsRemoteAsync(repository, null, cancellationToken))
        {
            if (name.StartsWith(TriggerRules.TagPrefix, StringComparison.Ordinal) && name.EndsWith("^{}", StringComparison.Ordinal))
            {
                heads[name[..^3]] = commit; // the peeled entry names the commit; it follows the tag's own
            }
            else if (name.StartsWith(TriggerRules.BranchPrefix, StringComparison.Ordinal) || name.StartsWith(TriggerRules.TagPrefix, StringComparison.Ordinal))
            {
                heads.TryAdd(name, commit);
            }
        }

        return heads;
    }

    /// <summary>
    /// What the full ref <paramref name="fullRef"/> names now: its own object id and, for an annotated
    /// tag, the commit it points at too (a Git host's push reports either). Empty when the ref does not exist.
    /// </summary>
    public async Task<IReadOnlyList<string>> RefTargetsAsync(string repository, string fullRef, CancellationToken cancellationToken) =>
        (await LsRemoteAsync(repository, fullRef, cancellationToken))
            .Where(e => e.Name == fullRef || e.Name == fullRef + "^{}")
            .Select(e => e.Commit)
            .ToList();

    private static async Task<IReadOnlyList<(string Commit, string Name)>> LsRemoteAsync(string repository, string? pattern, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        BufferedCommandResult result;
        try
        {
            result = await Cli.Wrap("git")
                .WithArguments(pattern is null ? ["ls-remote", "--", repository] : ["ls-remote", "--", repository, pattern])
                .WithEnvironmentVariables(e => e.Set("GIT_TERMINAL_PROMPT", "0"))
                .WithValidation(CommandResultValidation.None)
                .ExecuteBufferedAsync(Encoding.UTF8, timeout.Token);
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

        return result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('\t'))
            .Where(parts => parts.Length == 2)
            .Select(parts => (parts[0].Trim().ToLowerInvariant(), parts[1].Trim()))
            .ToList();
    }
}
