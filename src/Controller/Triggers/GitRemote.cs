using System.Text;
using CliWrap;
using CliWrap.Buffered;
using Farm.Controller.Sources;

namespace Farm.Controller.Triggers;

/// <summary>
/// Lists a repository's branch and tag heads with <c>git ls-remote</c>, which fetches nothing.
/// Thread-safe; cancellable; throws <see cref="SourceResolutionException"/> with git's own message.
/// </summary>
public sealed class GitRemote
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>Full ref name (<c>refs/heads/main</c>, <c>refs/tags/v1</c>) to commit; an annotated tag maps to the commit it points at.</summary>
    public async Task<Dictionary<string, string>> ListHeadsAsync(string repository, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        BufferedCommandResult result;
        try
        {
            result = await Cli.Wrap("git")
                .WithArguments(["ls-remote", "--", repository])
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

        var heads = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split('\t');
            if (parts.Length != 2)
            {
                continue;
            }

            var (commit, name) = (parts[0].Trim().ToLowerInvariant(), parts[1].Trim());
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
}
