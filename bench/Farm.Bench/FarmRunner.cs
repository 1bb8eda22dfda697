using System.Text;
using Farm.Api.V1;
using Grpc.Core;

namespace Farm.Bench;

/// <summary>Applies a pipeline of one-action stages to the controller, runs it to success, and reads the times back.</summary>
public sealed class FarmRunner(FarmProcesses farm, EngineEvents events, string image)
{
    private readonly Api.V1.Pipelines.PipelinesClient _pipelines = new(farm.Invoker);
    private readonly Executions.ExecutionsClient _executions = new(farm.Invoker);

    /// <summary>
    /// A pipeline of <paramref name="stages"/> stages, each one container action running
    /// <c>true</c>: the container's own run time is as small as it gets, so what remains is
    /// scheduling and the engine.
    /// </summary>
    public static string Definition(string name, int stages, string image)
    {
        var yaml = new StringBuilder($"name: {name}\nstages:\n");
        for (var i = 1; i <= stages; i++)
        {
            yaml.Append($"""
                  - name: s{i:000}
                    actions:
                      - name: run
                        type: container
                        image: {image}
                        runsOn: [linux]
                        commands: ["true"]

                """);
        }

        return yaml.ToString();
    }

    /// <summary>
    /// Applies the pipeline <paramref name="name"/> of <paramref name="stages"/> stages (applying it
    /// again unchanged stores nothing), runs a new execution of it, and returns one sample per stage, in order.
    /// </summary>
    public async Task<IReadOnlyList<ActionSample>> RunAsync(string name, int stages, CancellationToken cancellationToken)
    {
        await _pipelines.ApplyPipelineAsync(new ApplyPipelineRequest { Definition = Definition(name, stages, image) },
            cancellationToken: cancellationToken);
        var started = await _executions.StartExecutionAsync(new StartExecutionRequest { Pipeline = name }, cancellationToken: cancellationToken);
        var execution = await FollowAsync(started.ExecutionId, TimeSpan.FromSeconds(60 + 10 * stages), cancellationToken);

        var samples = new List<ActionSample>(stages);
        ContainerTimes? previous = null;
        for (var i = 0; i < execution.Stages.Count; i++)
        {
            var action = execution.Stages[i].Actions.Single();
            var attemptId = action.AttemptId;
            var container = await events.WaitForAsync(e => e.ByAttempt(attemptId), $"attempt {attemptId}", TimeSpan.FromSeconds(15), cancellationToken);
            var ready = i == 0 ? execution.StartedAt : execution.Stages[i - 1].Actions.Single().FinishedAt;
            samples.Add(new ActionSample(i, attemptId, ready.ToDateTimeOffset(), action.StartedAt.ToDateTimeOffset(),
                action.FinishedAt.ToDateTimeOffset(), container, previous?.Died));
            previous = container;
        }

        return samples;
    }

    private async Task<Execution> FollowAsync(string executionId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        Execution? last = null;
        try
        {
            using var call = _executions.WatchExecution(new WatchExecutionRequest { ExecutionId = executionId }, cancellationToken: deadline.Token);
            await foreach (var state in call.ResponseStream.ReadAllAsync(deadline.Token))
            {
                last = state;
            }
        }
        catch (Exception e) when (e is RpcException { StatusCode: StatusCode.Cancelled } or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new BenchException($"Execution {executionId} did not finish within {timeout.TotalSeconds:0} s " +
                $"(last status {last?.Status}):\n{farm.Tail()}");
        }

        return last switch
        {
            { Status: ExecutionStatus.Succeeded } => last,
            null => throw new BenchException($"WatchExecution of {executionId} ended without a state."),
            _ => throw new BenchException($"Execution {executionId} ended {last.Status}: {last.Message}\n{farm.Tail()}"),
        };
    }
}
