using Farm.Api.V1;
using Farm.Controller.Artifacts;
using Farm.Controller.Dispatch;
using Farm.Controller.Executions;
using Farm.Controller.Hosting;
using Farm.Controller.Logs;
using Farm.Controller.Pipelines;
using Farm.Controller.Security;
using Farm.Controller.Storage;
using Farm.Controller.Tests.Security;
using Farm.Controller.Tests.Triggers;
using Farm.Core.Executions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ArtifactRef = Farm.Core.Executions.ArtifactRef;

namespace Farm.Controller.Tests;

/// <summary>List rows carry each field's true value, the one GetExecution shows, or name it in <c>left_out</c>.</summary>
public sealed class ListRowsTests
{
    private static readonly string[] ListedWithoutStages = ["stages", "revision"];

    private sealed class Farm(GrainCluster cluster, FakeAgent agent) : IAsyncDisposable
    {
        public ExecutionsService Api { get; } = new(
            cluster.Grains,
            cluster.SiloServices.GetRequiredService<ExecutionGrains>(),
            cluster.SiloServices.GetRequiredService<ExecutionHistory>(),
            cluster.SiloServices.GetRequiredService<PipelineCatalog>(),
            new LogStore(cluster.SiloServices.GetRequiredService<IOptions<ControllerOptions>>()),
            new ArtifactStore(cluster.SiloServices.GetRequiredService<IOptions<ControllerOptions>>()),
            cluster.SiloServices.GetRequiredService<ExecutionStarter>());

        public IPipelineGrain Pipeline(string name) => cluster.Grains.GetGrain<IPipelineGrain>(name);

        public async Task<Job> TakeAsync(string execution, string stage)
        {
            var job = await agent.NextOfferAsync();
            Assert.Equal((execution, stage), (job.ExecutionId, job.Stage));
            Assert.True(await cluster.Grains.GetGrain<IExecutionGrain>(job.ExecutionId).Claim(job.AttemptId, "a1"));
            await cluster.Grains.GetGrain<IDispatcherGrain>(0).OfferAnswered("a1", job.AttemptId, true);
            return job;
        }

        public async Task FinishAsync(Job job, Dictionary<string, string>? outputs = null, params ArtifactRef[] artifacts)
        {
            await cluster.Grains.GetGrain<IDispatcherGrain>(0).Released("a1", job.AttemptId);
            await cluster.Grains.GetGrain<IExecutionGrain>(job.ExecutionId).Finish("a1", new AttemptResult(job.AttemptId, true, 0, null, outputs ?? [], artifacts));
        }

        public async Task<ExecutionRun> UntilAsync(string id, Func<ExecutionRun, bool> condition)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var grain = cluster.Grains.GetGrain<IExecutionGrain>(id);
            var run = (await grain.Get())!;
            while (!condition(run))
            {
                timeout.Token.ThrowIfCancellationRequested();
                run = (await grain.WaitForChange(run.Revision, TimeSpan.FromSeconds(1)))!;
            }

            return run;
        }

        public async Task<Execution> GetAsync(string id) =>
            await Api.GetExecution(new GetExecutionRequest { ExecutionId = id }, TestCallContext.For("/farm.v1.Executions/GetExecution"));

        /// <summary>
        /// The list row of <paramref name="id"/>, once <paramref name="until"/> holds for it: the row is
        /// written just after the state that Get (which interleaves) may already show.
        /// </summary>
        public async Task<Execution> ListedAsync(string pipeline, string id, Func<Execution, bool>? until = null)
        {
            Execution? row = null;
            await Eventually.Until(async _ =>
            {
                var rows = await Api.ListExecutions(new ListExecutionsRequest { Pipeline = pipeline }, TestCallContext.For("/farm.v1.Executions/ListExecutions"));
                row = rows.Executions.Single(e => e.Id == id);
                return until?.Invoke(row) ?? true;
            }, TimeSpan.FromSeconds(10), () => row?.ToString() ?? "no row");
            return row!;
        }

        public async ValueTask DisposeAsync() => await cluster.DisposeAsync();
    }

    private static async Task<Farm> StartAsync(string name, string pipeline)
    {
        var cluster = await GrainCluster.StartAsync();
        var agent = new FakeAgent();
        await agent.ConnectAsync(cluster, "a1", [], slots: 10);
        var farm = new Farm(cluster, agent);
        await farm.Pipeline(name).Apply(pipeline);
        return farm;
    }

    [Fact]
    public async Task Listed_row_of_a_git_sourced_execution_carries_the_sources_and_the_caller_GetExecution_shows()
    {
        var repository = GitRepository.Create();
        var commit = repository.Head();
        await using var farm = await StartAsync("from-git", $$"""
            name: from-git
            variables:
              - name: greeting
                default: hello
            stages:
              - name: Source
                actions:
                  - name: src
                    type: git
                    repository: {{repository.Path}}
                    branch: main
                    outputArtifacts: [ { name: source } ]
            """);
        var start = TestCallContext.For("/farm.v1.Executions/StartExecution");
        Caller.Set(start, new CallerIdentity(CallerKind.Token, "ci-bot", Role.Operator, "alice@host"));

        var id = (await farm.Api.StartExecution(new StartExecutionRequest { Pipeline = "from-git", Variables = { ["greeting"] = "hi" } }, start)).ExecutionId;
        var beforeFetch = await farm.ListedAsync("from-git", id);
        await farm.FinishAsync(await farm.TakeAsync(id, "Source"), new()
        {
            ["commit"] = commit, ["author"] = "Farm Test <test@farm.invalid>", ["message"] = "change README.md",
            ["committed_at"] = "2026-11-30T10:00:00+01:00", ["ref"] = "refs/heads/main",
        });
        await farm.UntilAsync(id, r => r.IsFinished);
        var listed = await farm.ListedAsync("from-git", id, e => e.Status == ExecutionStatus.Succeeded);
        var got = await farm.GetAsync(id);

        Assert.Equal("ci-bot (alice@host)", listed.TriggeredBy);
        Assert.Equal(got.TriggeredBy, listed.TriggeredBy);
        var source = Assert.Single(listed.Sources);
        Assert.Equal((commit, "main", "Farm Test <test@farm.invalid>", "change README.md"), (source.Commit, source.Ref, source.Author, source.Message));
        Assert.Equal(got.Sources, listed.Sources);
        Assert.Equal(new Dictionary<string, string> { ["greeting"] = "hi" }, listed.Variables);
        Assert.Equal(ListedWithoutStages, listed.LeftOut.Paths);
        Assert.Empty(got.LeftOut?.Paths ?? []);
        // Before the git action reported its commit, the row said as much as the execution did: no author yet.
        Assert.Equal((commit, ""), (Assert.Single(beforeFetch.Sources).Commit, beforeFetch.Sources[0].Author));
    }

    [Fact]
    public async Task Listed_row_of_an_execution_waiting_for_a_busy_stage_says_which_and_why_until_it_enters()
    {
        await using var farm = await StartAsync("ship", """
            name: ship
            executionMode: queued
            stages:
              - name: Build
                actions:
                  - name: make
                    type: shell
                    commands: [ "echo make" ]
              - name: Deploy
                actions:
                  - name: push
                    type: shell
                    commands: [ "echo push" ]
            """);
        var first = (await farm.Pipeline("ship").StartManually([])).ExecutionId!;
        await farm.FinishAsync(await farm.TakeAsync(first, "Build"));
        var deploying = await farm.TakeAsync(first, "Deploy");
        var second = (await farm.Pipeline("ship").StartManually([])).ExecutionId!;
        await farm.FinishAsync(await farm.TakeAsync(second, "Build"));
        await farm.UntilAsync(second, r => r.WaitingForStage is not null);

        var waiting = await farm.ListedAsync("ship", second, e => e.WaitingForStage.Length > 0);
        var got = await farm.GetAsync(second);
        await farm.FinishAsync(deploying);
        await farm.TakeAsync(second, "Deploy");
        var entered = await farm.ListedAsync("ship", second, e => e.WaitingForStage.Length == 0);

        Assert.Equal("Deploy", waiting.WaitingForStage);
        Assert.Equal((got.WaitingForStage, got.WaitingReason), (waiting.WaitingForStage, waiting.WaitingReason));
        Assert.NotEqual("", waiting.WaitingReason);
        Assert.Equal("", entered.WaitingReason);
        Assert.Equal(("manual", "tester"), (entered.Trigger, entered.TriggeredBy));
    }

    [Fact]
    public async Task Listed_artifacts_of_a_rollback_of_a_rollback_name_the_execution_stage_and_action_that_made_them()
    {
        await using var farm = await StartAsync("ship", """
            name: ship
            executionMode: queued
            stages:
              - name: Build
                actions:
                  - name: make
                    type: shell
                    commands: [ "echo make" ]
                    outputArtifacts:
                      - name: bundle
                        paths: [ "dist/**" ]
              - name: Deploy
                actions:
                  - name: push
                    type: shell
                    inputArtifacts: [ bundle ]
                    commands: [ "echo push" ]
            """);
        var bundle = new ArtifactRef("bundle", new string('a', 64), 10);
        var first = (await farm.Pipeline("ship").StartManually([])).ExecutionId!;
        await farm.FinishAsync(await farm.TakeAsync(first, "Build"), null, bundle);
        await farm.FinishAsync(await farm.TakeAsync(first, "Deploy"));
        await farm.UntilAsync(first, r => r.IsFinished);
        var rollback = (await farm.Pipeline("ship").Rollback("Deploy", first)).ExecutionId!;
        await farm.FinishAsync(await farm.TakeAsync(rollback, "Deploy"));
        await farm.UntilAsync(rollback, r => r.IsFinished);
        var again = (await farm.Pipeline("ship").Rollback("Deploy", rollback)).ExecutionId!;
        await farm.FinishAsync(await farm.TakeAsync(again, "Deploy"));
        await farm.UntilAsync(again, r => r.IsFinished);

        var listed = await farm.Api.ListArtifacts(new ListArtifactsRequest { ExecutionId = again }, TestCallContext.For("/farm.v1.Executions/ListArtifacts"));
        var row = await farm.ListedAsync("ship", again);

        var artifact = Assert.Single(listed.Artifacts);
        Assert.Equal(("bundle", bundle.Sha256, "Build", "make", first), (artifact.Name, artifact.Sha256, artifact.Stage, artifact.Action, artifact.FromExecutionId));
        Assert.Equal(("rollback", rollback), (row.Trigger, row.RollbackOf));
    }
}
