using System.Text;
using CliWrap;
using Farm.Agent.Logs;
using Farm.Api.V1;

namespace Farm.Agent.Executors;

/// <summary>
/// Checks out exactly <see cref="GitFetch.Commit"/> of <see cref="GitFetch.Repository"/> into the
/// attempt's workspace with the git CLI (through CliWrap, in the workspace, with the agent's
/// environment plus the action's, <c>GIT_TERMINAL_PROMPT=0</c> so a missing credential fails instead
/// of waiting, and <c>LC_ALL=C</c> so git's messages are the English ones Farm reports):
/// <list type="number">
/// <item><c>git init -q</c>;</item>
/// <item><c>git fetch --no-tags [--depth N] -- REPO COMMIT</c>, which works for local and file
/// repositories and for servers that allow fetching a reachable commit by id; when that fails,
/// <c>git fetch</c> of <see cref="GitFetch.Ref"/> (or of every branch and tag when it is empty),
/// then a check that the commit has arrived;</item>
/// <item><c>git checkout -q --detach COMMIT</c>;</item>
/// <item><c>git show -s</c> for the output variables <c>commit</c> (full id), <c>author</c>
/// ("Name &lt;email&gt;"), <c>message</c> (subject line), <c>committed_at</c> (ISO 8601 with offset)
/// and <c>ref</c> (<see cref="GitFetch.Ref"/>);</item>
/// <item>the <c>.git</c> folder is deleted, so the workspace holds the tree alone and an output
/// artifact of <c>**</c> never packs the repository's history.</item>
/// </list>
/// Each git command is echoed to the log as <c>+ git ...</c> (credentials in the URL masked), and
/// git's stdout and stderr go to the log as they come. A failing step fails the action with git's
/// own last error lines. Cancelling kills git. Stateless, so one instance serves every attempt.
/// </summary>
public sealed class GitExecutor : IActionExecutor
{
    /// <summary>How many of git's last error lines a failure message quotes.</summary>
    private const int ErrorLines = 3;

    // Fields of `git show -s`, separated by NUL, which no name, e-mail or subject can hold.
    private const string ShowFormat = "--format=%H%x00%an <%ae>%x00%s%x00%cI";

    public async Task<ExecutorResult> RunAsync(AttemptContext context, CancellationToken cancellationToken)
    {
        var fetch = context.Offer.Spec.Git;
        if (fetch is null || string.IsNullOrWhiteSpace(fetch.Repository))
        {
            return ExecutorResult.Failed("the git action names no repository to fetch");
        }

        if (!IsFullCommitId(fetch.Commit))
        {
            return ExecutorResult.Failed(
                $"the git action's commit '{fetch.Commit}' is not a full commit id (40 or 64 hex digits); the controller pins one before dispatch");
        }

        var git = new GitRunner(context, fetch.Repository);
        try
        {
            return await CheckOutAsync(git, fetch, context.Workspace, cancellationToken);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return ExecutorResult.Failed($"could not start git: {e.Message}; install git on the agent's host");
        }
    }

    private static async Task<ExecutorResult> CheckOutAsync(GitRunner git, GitFetch fetch, string workspace, CancellationToken cancellationToken)
    {
        var commit = fetch.Commit.ToLowerInvariant();
        var depth = fetch.Depth > 0 ? new[] { "--depth", fetch.Depth.ToString(System.Globalization.CultureInfo.InvariantCulture) } : [];

        var init = await git.RunAsync(["init", "-q"], cancellationToken);
        if (!init.Succeeded)
        {
            return ExecutorResult.Failed($"git init failed: {init.Error}");
        }

        var byId = await git.RunAsync(["fetch", "--no-tags", .. depth, "--", fetch.Repository, commit], cancellationToken);
        if (!byId.Succeeded)
        {
            string[] refspecs = fetch.Ref.Length > 0 ? [fetch.Ref] : ["+refs/heads/*:refs/remotes/origin/*", "+refs/tags/*:refs/tags/*"];
            var fetched = fetch.Ref.Length > 0 ? fetch.Ref : "all branches and tags";
            await git.NoteAsync($"fetching {commit} by id failed; fetching {fetched} instead");
            var byRef = await git.RunAsync(["fetch", "--no-tags", .. depth, "--", fetch.Repository, .. refspecs], cancellationToken);
            if (!byRef.Succeeded)
            {
                return ExecutorResult.Failed($"git fetch failed: {byRef.Error}");
            }

            var present = await git.RunAsync(["cat-file", "-e", commit + "^{commit}"], cancellationToken);
            if (!present.Succeeded)
            {
                var within = fetch.Depth > 0 ? $" within depth {fetch.Depth}" : "";
                return ExecutorResult.Failed(
                    $"git fetch failed: commit {commit} is not in {git.Redact(fetch.Repository)} ({fetched}{within}); fetching it by id said: {byId.Error}");
            }
        }

        var checkout = await git.RunAsync(["checkout", "-q", "--detach", commit], cancellationToken);
        if (!checkout.Succeeded)
        {
            return ExecutorResult.Failed($"git checkout failed: {checkout.Error}");
        }

        var show = await git.RunAsync(["show", "-s", "--no-show-signature", "--encoding=UTF-8", ShowFormat, commit], cancellationToken, captureOutput: true);
        var fields = show.Output.TrimEnd('\n').Split('\0');
        if (!show.Succeeded || fields.Length != 4)
        {
            return ExecutorResult.Failed($"git show failed: {(show.Succeeded ? $"unexpected output '{show.Output.Trim()}'" : show.Error)}");
        }

        try
        {
            DeleteRepository(Path.Combine(workspace, ".git"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return ExecutorResult.Failed($"the .git folder could not be removed from the workspace: {e.Message}");
        }

        return ExecutorResult.Done(new Dictionary<string, string>
        {
            ["commit"] = fields[0],
            ["author"] = fields[1],
            ["message"] = fields[2],
            ["committed_at"] = fields[3],
            ["ref"] = fetch.Ref,
        });
    }

    private static bool IsFullCommitId(string commit) =>
        commit.Length is 40 or 64 && commit.All(char.IsAsciiHexDigit);

    /// <summary>Deletes the repository folder; git makes its object files read-only, which only Windows minds.</summary>
    private static void DeleteRepository(string path)
    {
        if (!Directory.Exists(path))
        {
            return;
        }

        if (OperatingSystem.IsWindows())
        {
            foreach (var file in Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories))
            {
                File.SetAttributes(file, FileAttributes.Normal);
            }
        }

        Directory.Delete(path, recursive: true);
    }

    /// <summary>Runs git commands of one attempt, echoing each to its log. Not thread-safe: one command at a time.</summary>
    private sealed class GitRunner(AttemptContext context, string repository)
    {
        private readonly SpoolWriter _notes = context.Output.CreateWriter();
        private readonly string _redacted = RedactUrl(repository);

        private readonly IReadOnlyDictionary<string, string?> _environment =
            new Dictionary<string, string?>(context.Environment.Select(e => KeyValuePair.Create(e.Key, (string?)e.Value)))
            {
                ["GIT_TERMINAL_PROMPT"] = "0",
                ["LC_ALL"] = "C",
            };

        public Task NoteAsync(string line) => _notes.WriteLineAsync(line);

        /// <summary>The text with the repository's credentials (user:password@ in its URL) masked.</summary>
        public string Redact(string text) => ReferenceEquals(_redacted, repository) ? text : text.Replace(repository, _redacted, StringComparison.Ordinal);

        public async Task<GitRun> RunAsync(string[] arguments, CancellationToken cancellationToken, bool captureOutput = false)
        {
            await NoteAsync("+ git " + Redact(string.Join(' ', arguments)));
            var stdout = context.Output.CreateWriter();
            var stderr = context.Output.CreateWriter();
            var errors = new TailBuffer();
            using var captured = new MemoryStream();
            var command = Cli.Wrap("git")
                .WithArguments(arguments)
                .WithWorkingDirectory(context.Workspace)
                .WithEnvironmentVariables(_environment)
                .WithValidation(CommandResultValidation.None)
                .WithStandardOutputPipe(captureOutput
                    ? PipeTarget.ToStream(captured)
                    : PipeTarget.Create((stream, ct) => stdout.CopyFromAsync(stream, ct)))
                .WithStandardErrorPipe(PipeTarget.Create(async (stream, ct) =>
                {
                    var buffer = new byte[16 * 1024];
                    int read;
                    while ((read = await stream.ReadAsync(buffer, ct)) > 0)
                    {
                        await stderr.WriteAsync(buffer.AsMemory(0, read));
                        errors.Add(buffer.AsSpan(0, read));
                    }

                    await stderr.FlushAsync();
                }));

            var result = await command.ExecuteAsync(cancellationToken);
            var output = captureOutput ? Encoding.UTF8.GetString(captured.GetBuffer(), 0, (int)captured.Length) : "";
            return new GitRun(result.ExitCode == 0, output, Redact(LastErrors(errors.Text, result.ExitCode)));
        }

        /// <summary>git's last <c>fatal:</c> or <c>error:</c> lines, else its last line, else the exit code.</summary>
        private static string LastErrors(string stderr, int exitCode)
        {
            var lines = stderr.Split('\n', '\r').Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
            var errors = lines.Where(l => l.StartsWith("fatal:", StringComparison.Ordinal) || l.StartsWith("error:", StringComparison.Ordinal)).ToArray();
            return errors.Length > 0 ? string.Join("; ", errors.TakeLast(ErrorLines))
                : lines.Length > 0 ? lines[^1]
                : $"git exited with code {exitCode}";
        }

        private static string RedactUrl(string repository) =>
            Uri.TryCreate(repository, UriKind.Absolute, out var uri) && uri.UserInfo.Length > 0 && !uri.IsFile
                ? repository.Replace(uri.UserInfo + "@", "***@", StringComparison.Ordinal)
                : repository;
    }

    /// <summary>The last few KiB of a stream, enough for git's closing error lines.</summary>
    private sealed class TailBuffer
    {
        private const int Keep = 8 * 1024;
        private byte[] _bytes = [];

        public void Add(ReadOnlySpan<byte> bytes)
        {
            var joined = new byte[Math.Min(Keep, _bytes.Length + bytes.Length)];
            var fromOld = joined.Length - Math.Min(bytes.Length, joined.Length);
            _bytes.AsSpan(_bytes.Length - fromOld).CopyTo(joined);
            bytes[^(joined.Length - fromOld)..].CopyTo(joined.AsSpan(fromOld));
            _bytes = joined;
        }

        public string Text => Encoding.UTF8.GetString(_bytes);
    }

    private sealed record GitRun(bool Succeeded, string Output, string Error);
}
