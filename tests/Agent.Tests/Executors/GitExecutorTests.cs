using System.Text;
using CliWrap;
using CliWrap.Buffered;
using Farm.Agent.Artifacts;
using Farm.Agent.Executors;
using Farm.Agent.Logs;
using Farm.Api.V1;

namespace Farm.Agent.Tests.Executors;

/// <summary>
/// Runs <see cref="GitExecutor"/> against real repositories made with the git CLI in a temp folder:
/// main has three commits (the first tagged v1), feature branches off the first.
/// </summary>
public sealed class GitExecutorTests : IAsyncLifetime
{
    private const string Author = "Ada Lovelace <ada@example.com>";

    private readonly string _dir = Directory.CreateTempSubdirectory("farm-git-").FullName;
    private string _repo = "";
    private string _first = "";
    private string _second = "";
    private string _tip = "";
    private string _feature = "";

    public async Task InitializeAsync()
    {
        _repo = Directory.CreateDirectory(Path.Combine(_dir, "origin")).FullName;
        await GitAsync("init", "-q", "-b", "main");
        _first = await CommitAsync("first commit", "2024-01-02T03:04:05+02:00", ("readme.txt", "one\n"));
        await GitAsync("tag", "v1");
        _second = await CommitAsync("second commit\n\nWith a body that is not the subject.", "2024-02-03T04:05:06-05:00",
            ("readme.txt", "two\n"), ("src/app.txt", "app\n"));
        _tip = await CommitAsync("third commit", "2024-03-04T05:06:07+00:00", ("readme.txt", "three\n"));
        await GitAsync("checkout", "-q", "-b", "feature", _first);
        _feature = await CommitAsync("feature work", "2024-04-05T06:07:08+01:00", ("feature.txt", "feature\n"));
        await GitAsync("checkout", "-q", "main");
    }

    [Fact]
    public async Task Pinned_commit_is_checked_out_not_the_branch_tip()
    {
        var (result, workspace, _) = await RunAsync(new GitFetch { Repository = _repo, Commit = _second, Ref = "main" });

        Assert.Null(result.FailureMessage);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("two\n", await File.ReadAllTextAsync(Path.Combine(workspace, "readme.txt")));
        Assert.Equal("app\n", await File.ReadAllTextAsync(Path.Combine(workspace, "src", "app.txt")));
        Assert.Equal(new Dictionary<string, string>
        {
            ["commit"] = _second,
            ["author"] = Author,
            ["message"] = "second commit",
            ["committed_at"] = "2024-02-03T04:05:06-05:00",
            ["ref"] = "main",
        }, result.Outputs);
    }

    [Fact]
    public async Task Workspace_holds_the_tree_without_git_so_an_artifact_of_everything_has_no_history()
    {
        var (result, workspace, _) = await RunAsync(new GitFetch { Repository = _repo, Commit = _feature, Ref = "feature" });

        Assert.Null(result.FailureMessage);
        Assert.False(Directory.Exists(Path.Combine(workspace, ".git")));
        Assert.Equal(["feature.txt", "readme.txt"], WorkspaceGlob.Expand(workspace, ["**"]).Select(e => e.Path));
        Assert.Equal("one\n", await File.ReadAllTextAsync(Path.Combine(workspace, "readme.txt")));
        Assert.Equal((_feature, "feature work", "2024-04-05T06:07:08+01:00", "feature"),
            (result.Outputs!["commit"], result.Outputs["message"], result.Outputs["committed_at"], result.Outputs["ref"]));
    }

    [Fact]
    public async Task Shallow_fetch_of_a_file_url_checks_out_the_tip()
    {
        var (result, workspace, log) = await RunAsync(new GitFetch { Repository = "file://" + _repo, Commit = _tip, Ref = "main", Depth = 1 });

        Assert.Null(result.FailureMessage);
        Assert.Equal("three\n", await File.ReadAllTextAsync(Path.Combine(workspace, "readme.txt")));
        Assert.Equal(_tip, result.Outputs!["commit"]);
        Assert.Contains($"+ git fetch --no-tags --depth 1 -- file://{_repo} {_tip}\n", log);
    }

    [Fact]
    public async Task Server_refusing_a_commit_by_id_falls_back_to_fetching_the_ref()
    {
        // Protocol v0 upload-pack only serves advertised tips unless allowReachableSHA1InWant is set.
        var v0 = new Dictionary<string, string>
        {
            ["GIT_CONFIG_COUNT"] = "1",
            ["GIT_CONFIG_KEY_0"] = "protocol.version",
            ["GIT_CONFIG_VALUE_0"] = "0",
        };

        var (result, workspace, log) = await RunAsync(new GitFetch { Repository = _repo, Commit = _second, Ref = "main" }, v0);

        Assert.Null(result.FailureMessage);
        Assert.Equal("two\n", await File.ReadAllTextAsync(Path.Combine(workspace, "readme.txt")));
        Assert.Equal(_second, result.Outputs!["commit"]);
        Assert.Contains($"error: Server does not allow request for unadvertised object {_second}\n", log);
        Assert.Contains($"fetching {_second} by id failed; fetching main instead\n+ git fetch --no-tags -- {_repo} main\n", log);
    }

    [Fact]
    public async Task Unknown_repository_fails_with_gits_message()
    {
        var missing = Path.Combine(_dir, "nope");

        var (result, _, log) = await RunAsync(new GitFetch { Repository = missing, Commit = _tip });

        Assert.Equal(
            $"git fetch failed: fatal: '{missing}' does not appear to be a git repository; fatal: Could not read from remote repository.",
            result.FailureMessage);
        Assert.Null(result.Outputs);
        Assert.Contains($"fatal: '{missing}' does not appear to be a git repository\n", log);
    }

    [Fact]
    public async Task Commit_that_is_not_in_the_repository_fails_naming_it()
    {
        const string absent = "0123456789abcdef0123456789abcdef01234567";

        var (result, workspace, _) = await RunAsync(new GitFetch { Repository = _repo, Commit = absent });

        // git's server and client halves both print a fatal line, in either order.
        Assert.StartsWith($"git fetch failed: commit {absent} is not in {_repo} (all branches and tags); fetching it by id said: ", result.FailureMessage);
        Assert.Contains($"fatal: git upload-pack: not our ref {absent}", result.FailureMessage);
        Assert.Contains($"fatal: remote error: upload-pack: not our ref {absent}", result.FailureMessage);
        Assert.False(File.Exists(Path.Combine(workspace, "readme.txt")));
    }

    [Fact]
    public async Task Commit_that_is_not_a_full_id_is_refused_before_git_runs()
    {
        var (result, _, log) = await RunAsync(new GitFetch { Repository = _repo, Commit = "main" });

        Assert.Equal("the git action's commit 'main' is not a full commit id (40 or 64 hex digits); the controller pins one before dispatch",
            result.FailureMessage);
        Assert.Equal("", log);
    }

    private async Task<(ExecutorResult Result, string Workspace, string Log)> RunAsync(
        GitFetch fetch, IReadOnlyDictionary<string, string>? environment = null)
    {
        var offer = new JobOffer { AttemptId = "p-1.1", Spec = new ActionSpec { Type = "git", Git = fetch } };
        var workspace = Path.Combine(_dir, "ws");
        if (Directory.Exists(workspace))
        {
            Directory.Delete(workspace, recursive: true);
        }

        Directory.CreateDirectory(workspace);
        var logPath = Path.Combine(_dir, "log");
        ExecutorResult result;
        await using (var spool = new LogSpool(logPath))
        {
            var context = new AttemptContext(offer, workspace, environment ?? new Dictionary<string, string>(), spool);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            result = await new GitExecutor().RunAsync(context, timeout.Token);
        }

        return (result, workspace, Encoding.UTF8.GetString(await File.ReadAllBytesAsync(logPath)));
    }

    /// <summary>Writes the files, commits them as Ada at <paramref name="date"/>, and returns the commit id.</summary>
    private async Task<string> CommitAsync(string message, string date, params (string Path, string Text)[] files)
    {
        foreach (var (path, text) in files)
        {
            var full = Path.Combine(_repo, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            await File.WriteAllTextAsync(full, text);
        }

        await GitAsync("add", "-A");
        await GitAsync(new Dictionary<string, string?> { ["GIT_AUTHOR_DATE"] = date, ["GIT_COMMITTER_DATE"] = date }, "commit", "-q", "-m", message);
        return (await GitAsync("rev-parse", "HEAD")).Trim();
    }

    private Task<string> GitAsync(params string[] arguments) => GitAsync(new Dictionary<string, string?>(), arguments);

    private async Task<string> GitAsync(Dictionary<string, string?> environment, params string[] arguments)
    {
        // Isolated from the machine's git configuration, so ids and names are the same everywhere.
        environment["GIT_CONFIG_GLOBAL"] = "/dev/null";
        environment["GIT_CONFIG_NOSYSTEM"] = "1";
        environment["GIT_AUTHOR_NAME"] = "Ada Lovelace";
        environment["GIT_AUTHOR_EMAIL"] = "ada@example.com";
        environment["GIT_COMMITTER_NAME"] = "Ada Lovelace";
        environment["GIT_COMMITTER_EMAIL"] = "ada@example.com";
        try
        {
            var result = await Cli.Wrap("git").WithArguments(arguments).WithWorkingDirectory(_repo)
                .WithEnvironmentVariables(environment).WithValidation(CommandResultValidation.None).ExecuteBufferedAsync();
            Assert.True(result.ExitCode == 0, $"git {string.Join(' ', arguments)} failed: {result.StandardError}");
            return result.StandardOutput;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"these tests need the git CLI on PATH (apt-get install git): {e.Message}", e);
        }
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_dir, recursive: true);
        return Task.CompletedTask;
    }
}
