using Farm.Controller.Triggers;
using Farm.Core.Executions;
using Farm.Core.Pipelines;

namespace Farm.Controller.Tests.Triggers;

public sealed class PollingTests
{
    private static TriggerDefinition Poll(GlobFilter? branches = null, GlobFilter? tags = null) => new()
    {
        Source = "app",
        Poll = TimeSpan.FromMinutes(1),
        Branches = branches ?? GlobFilter.Everything,
        Tags = tags ?? GlobFilter.Nothing,
    };

    [Fact(Timeout = 60_000)]
    public async Task New_commit_on_included_branch_starts_exactly_one_execution()
    {
        await using var farm = await TriggerFixture.StartAsync();
        var repo = GitRepository.Create();
        await farm.ApplyAsync(TriggerFixture.Pipeline("polled", repo.Path, Poll(new GlobFilter(["main"], []))));
        await farm.Triggers.PollAsync("polled", CancellationToken.None);
        Assert.Empty(farm.Started);

        var commit = repo.Commit("src/app.c", "int main;");
        await farm.Triggers.PollAsync("polled", CancellationToken.None);
        await farm.Triggers.PollAsync("polled", CancellationToken.None);

        var id = Assert.Single(farm.Started);
        Assert.Equal("polled-1", id);
        var run = await farm.ExecutionAsync(id);
        Assert.Equal(ExecutionRun.PollTrigger, run.Trigger);
        Assert.Equal($"poll: main {commit[..7]}", run.TriggeredBy);
        var source = Assert.Single(run.Sources);
        Assert.Equal(("app", commit), (source.Action, source.Commit));
    }

    [Fact(Timeout = 60_000)]
    public async Task Commit_on_excluded_branch_starts_nothing()
    {
        await using var farm = await TriggerFixture.StartAsync();
        var repo = GitRepository.Create();
        await farm.ApplyAsync(TriggerFixture.Pipeline("excluding", repo.Path, Poll(new GlobFilter([], ["feature/**"]))));
        await farm.Triggers.PollAsync("excluding", CancellationToken.None);

        repo.Checkout("feature/login/form", create: true);
        repo.Commit("login.c", "form");
        await farm.Triggers.PollAsync("excluding", CancellationToken.None);

        Assert.Empty(farm.Started);
    }

    [Fact(Timeout = 60_000)]
    public async Task Same_commit_on_a_second_branch_and_after_a_restart_starts_once()
    {
        var repo = GitRepository.Create();
        var pipeline = TriggerFixture.Pipeline("deduped", repo.Path, Poll());
        string dataDir;
        await using (var farm = await TriggerFixture.StartAsync())
        {
            dataDir = farm.Cluster.DataDir;
            await farm.ApplyAsync(pipeline);
            await farm.Triggers.PollAsync("deduped", CancellationToken.None);
            repo.Commit("a.txt", "a");
            await farm.Triggers.PollAsync("deduped", CancellationToken.None);
            repo.Git("branch", "release");
            await farm.Triggers.PollAsync("deduped", CancellationToken.None);
            Assert.Equal(["deduped-1"], farm.Started);
        }

        // A new silo on the same store: heads and started commits survived, so nothing starts again.
        await using var restarted = await TriggerFixture.StartAsync(dataDir: dataDir);
        restarted.Definitions.Set(pipeline);
        await restarted.Triggers.PollAsync("deduped", CancellationToken.None);
        Assert.Empty(restarted.Started);

        var next = repo.Commit("b.txt", "b");
        await restarted.Triggers.PollAsync("deduped", CancellationToken.None);
        var id = Assert.Single(restarted.Started);
        Assert.Equal("deduped-2", id);
        Assert.Equal(next, (await restarted.ExecutionAsync(id)).Sources[0].Commit);
    }

    [Fact(Timeout = 60_000)]
    public async Task Tags_start_only_when_included()
    {
        await using var farm = await TriggerFixture.StartAsync();
        var repo = GitRepository.Create();
        await farm.ApplyAsync(TriggerFixture.Pipeline("tagged", repo.Path, Poll(new GlobFilter(["none"], []), new GlobFilter(["v*"], []))));
        await farm.Triggers.PollAsync("tagged", CancellationToken.None);

        var commit = repo.Commit("c.txt", "c");
        repo.Git("tag", "-a", "v1.0", "-m", "release");
        repo.Git("tag", "nightly");
        await farm.Triggers.PollAsync("tagged", CancellationToken.None);

        var id = Assert.Single(farm.Started);
        var run = await farm.ExecutionAsync(id);
        Assert.Equal($"poll: tag v1.0 {commit[..7]}", run.TriggeredBy);
        Assert.Equal(commit, run.Sources[0].Commit);
    }
}
