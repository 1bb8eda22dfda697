using System.Collections.Concurrent;
using Farm.Controller.Pipelines;
using Farm.Controller.Security;
using Farm.Controller.Storage;
using Farm.Controller.Triggers;
using Farm.Core.Executions;
using Farm.Core.Pipelines;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Farm.Controller.Tests.Triggers;

/// <summary>
/// The trigger services on a real one-silo cluster (trigger grain, pipeline grain, executions) and
/// a clock the test drives. Until the parser reads <c>triggers:</c> and git actions, the pipeline
/// file stored in the grain is a plain one and the definitions with triggers are given here; starts
/// go straight to the pipeline grain with the commit pinned (the controller's starter would also
/// resolve sources with ls-remote, which needs the parsed git actions).
/// </summary>
public sealed class TriggerFixture : IAsyncDisposable
{
    private TriggerFixture(GrainCluster cluster, ServiceProvider services, FakeTimeProvider time, Pipelines pipelines)
    {
        Cluster = cluster;
        Services = services;
        Time = time;
        Definitions = pipelines;
    }

    public GrainCluster Cluster { get; }

    public ServiceProvider Services { get; }

    public FakeTimeProvider Time { get; }

    public Pipelines Definitions { get; }

    public TriggerService Triggers => Services.GetRequiredService<TriggerService>();

    public WebhookReceiver Receiver => Services.GetRequiredService<WebhookReceiver>();

    public AuditLog Audit => Services.GetRequiredService<AuditLog>();

    public ConcurrentQueue<string> Started { get; } = new();

    public static async Task<TriggerFixture> StartAsync(DateTimeOffset? now = null, string? dataDir = null)
    {
        var cluster = await GrainCluster.StartAsync(dataDir);
        var time = new FakeTimeProvider(now ?? new DateTimeOffset(2025, 3, 10, 8, 0, 0, TimeSpan.Zero));
        var pipelines = new Pipelines(cluster.Grains);
        var services = new ServiceCollection()
            .AddLogging(l => l.SetMinimumLevel(LogLevel.Warning))
            .AddSingleton<IGrainFactory>(cluster.Grains)
            .AddSingleton<TimeProvider>(time)
            .AddSingleton<ITriggerPipelines>(pipelines)
            .AddSingleton(cluster.SiloServices.GetRequiredService<FarmDatabase>())
            .AddSingleton<AuditLog>()
            .AddFarmTriggerServices();
        TriggerFixture? fixture = null;
        services.AddSingleton<ITriggerStarter>(_ => new GrainStarter(cluster.Grains, pipelines, id => fixture!.Started.Enqueue(id)));
        fixture = new TriggerFixture(cluster, services.BuildServiceProvider(), time, pipelines);
        return fixture;
    }

    /// <summary>Applies a plain pipeline file under the definition's name and serves the definition (with its triggers) to the triggers.</summary>
    public async Task ApplyAsync(PipelineDefinition pipeline)
    {
        await Cluster.Grains.GetGrain<IPipelineGrain>(pipeline.Name).Apply($$"""
            name: {{pipeline.Name}}
            stages:
              - name: Build
                actions:
                  - name: make
                    type: shell
                    commands: [ "echo make" ]
            """);
        Definitions.Set(pipeline);
    }

    public async Task<ExecutionRun> ExecutionAsync(string id) =>
        await Cluster.Grains.GetGrain<Executions.IExecutionGrain>(id).Get() ?? throw new InvalidOperationException($"no execution {id}");

    /// <summary>A pipeline whose stage Source has git action <c>app</c> on <paramref name="repository"/>.</summary>
    public static PipelineDefinition Pipeline(string name, string repository, params TriggerDefinition[] triggers) =>
        new(name, [], [
            new StageDefinition("Source", [new ActionDefinition { Name = "app", Type = ActionType.Git, Git = new GitSource(repository, "main", null, null, null, null) }]),
            new StageDefinition("Build", [new ActionDefinition { Name = "make", Type = ActionType.Shell, Commands = ["echo make"] }]),
        ])
        { Triggers = triggers };

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        await Cluster.DisposeAsync();
    }

    /// <summary>Definitions given by the test; the stored versions still decide whether a pipeline exists.</summary>
    public sealed class Pipelines(IGrainFactory grains) : ITriggerPipelines
    {
        private readonly ConcurrentDictionary<string, PipelineDefinition> _definitions = new();

        public void Set(PipelineDefinition pipeline) => _definitions[pipeline.Name] = pipeline;

        public async Task<PipelineDefinition?> GetAsync(string name) =>
            _definitions.TryGetValue(name, out var pipeline) && await grains.GetGrain<IPipelineGrain>(name).GetVersion(0) is not null ? pipeline : null;

        public Task<IReadOnlyList<PipelineDefinition>> ListAsync() => Task.FromResult<IReadOnlyList<PipelineDefinition>>(_definitions.Values.ToList());
    }

    /// <summary>Starts on the pipeline grain with each revision pinned as given, as the controller's starter does after resolving.</summary>
    private sealed class GrainStarter(IGrainFactory grains, Pipelines pipelines, Action<string> started) : ITriggerStarter
    {
        public async Task<StartOutcome> StartAsync(
            string pipeline, IReadOnlyDictionary<string, string> revisions, string trigger, string triggeredBy, CancellationToken cancellationToken)
        {
            var grain = grains.GetGrain<IPipelineGrain>(pipeline);
            var definition = await pipelines.GetAsync(pipeline);
            var version = (await grain.GetVersion(0))?.Version ?? 0;
            var sources = revisions
                .Select(r => new PinnedSource("Source", r.Key, definition!.Stages[0].Actions[0].Git!.Repository, null, r.Value))
                .ToArray();
            var outcome = await grain.Start(new StartRequest([], sources, version, trigger, triggeredBy));
            if (outcome.ExecutionId is { } id)
            {
                started(id);
            }

            return outcome;
        }
    }
}
