using System.Text;
using Farm.Api.V1;
using Grpc.Core;

namespace Farm.EndToEnd.Tests;

public sealed class ClusterFailoverTests(ClusterHost cluster) : IClassFixture<ClusterHost>
{
    private const int Lines = 40;

    [Fact]
    public async Task Killing_the_controller_that_holds_the_dispatcher_mid_stage_loses_no_attempt_and_no_log_line_and_it_rejoins()
    {
        var actions = new[] { "a", "b", "c", "d" };
        // Shell actions run on the agents' host: each run of an attempt appends its id here.
        var runs = Path.Combine(cluster.Root, "runs.log");
        var yaml = $$"""
            name: failover
            stages:
              - name: Build
                actions:
            {{string.Concat(actions.Select(a => Counter(a, runs)))}}
              - name: Ship
                actions:
            {{Counter("ship", runs)}}
            """;
        await cluster.Pipelines.ApplyPipelineAsync(new ApplyPipelineRequest { Definition = yaml });
        var id = (await cluster.Executions.StartExecutionAsync(new StartExecutionRequest { Pipeline = "failover" })).ExecutionId;
        await WatchAsync(id, e => actions.All(a => Action(e, "Build", a).Status == ExecutionStatus.InProgress));

        // Mid-stage, the controller that holds the dispatcher, and the session of the agent that lists it first.
        var victim = await cluster.DispatcherHostAsync();
        await cluster.Kill(victim);
        var done = await WatchAsync(id, e => e.Status is ExecutionStatus.Succeeded or ExecutionStatus.Failed);
        // The CLI, given the dead controller first, moves on to a survivor.
        var status = await cluster.RunCliAsync(cluster.AllAddresses(first: victim), "status", id);
        cluster.StartController(victim);
        await cluster.WaitUntilAnswersAsync(victim);
        var throughRejoined = new Executions.ExecutionsClient(cluster.InvokerOf(victim));
        var second = (await throughRejoined.StartExecutionAsync(new StartExecutionRequest { Pipeline = "failover" })).ExecutionId;
        var secondDone = await WatchAsync(second, e => e.Status is ExecutionStatus.Succeeded or ExecutionStatus.Failed, throughRejoined);

        Assert.Equal(ExecutionStatus.Succeeded, done.Status);
        // Four actions over three agents of two slots: each agent ran one, so the one whose session
        // was on the killed controller had to move to a survivor with its attempt running.
        Assert.Contains(done.Stages[0].Actions, a => a.Agent == $"cluster-agent-{victim}");
        // No attempt ran twice, nothing ran that the execution did not make, and every action's
        // last attempt ran.
        var ran = (await File.ReadAllLinesAsync(runs)).Where(id => id.StartsWith(done.Id + ".", StringComparison.Ordinal)).ToList();
        var made = done.Stages.SelectMany(s => s.Actions).SelectMany(a => a.PreviousAttempts.Select(p => p.AttemptId).Append(a.AttemptId)).ToList();
        Assert.Equal(ran.Distinct(), ran);
        Assert.Subset(made.ToHashSet(), ran.ToHashSet());
        Assert.Subset(ran.ToHashSet(), done.Stages.SelectMany(s => s.Actions).Select(a => a.AttemptId).ToHashSet());
        foreach (var (stage, action) in actions.Select(a => ("Build", a)).Append(("Ship", "ship")))
        {
            var attempt = Action(done, stage, action);
            // Each attempt's log: its start line once, then every line once, in order; an attempt
            // lost to the failover (its agent's controller died) may be followed by a new one.
            for (var number = 1; number <= attempt.Attempt; number++)
            {
                var log = await ReadLogAsync(id, stage, action, number);
                var attemptId = number == attempt.Attempt ? attempt.AttemptId : attempt.PreviousAttempts[number - 1].AttemptId;
                Assert.Equal(ran.Contains(attemptId) ? Expected(action, attemptId) : "", log);
            }
        }

        Assert.Equal(ExecutionStatus.Succeeded, secondDone.Status);
        Assert.True(status.ExitCode == 0, status.Stderr);
        Assert.Contains(id, status.Stdout);
    }

    /// <summary>
    /// An action that records its run, then counts slowly. Action "a" also leaves an artifact that
    /// "ship" checks silently: it was uploaded through one controller and stored in the shared
    /// folder, and is downloaded through whichever controller the shipping agent talks to.
    /// </summary>
    private static string Counter(string name, string runs) => $$"""
              - name: {{name}}
                type: shell
                runsOn: [ cluster ]
        {{(name == "ship" ? "        inputArtifacts: [ bundle ]\n" : "")}}{{(name == "a" ? "        outputArtifacts: [ { name: bundle, paths: [ \"out/**\" ] } ]\n" : "")}}        commands:
                  - 'echo "$FARM_ATTEMPT_ID" >> {{runs}}'
                  - 'echo "start $FARM_ATTEMPT_ID"'
                  - 'i=1; while [ $i -le {{Lines}} ]; do echo "{{name}} line $i"; i=$((i+1)); sleep 0.1; done'
        {{(name == "a" ? "          - 'mkdir -p out && echo \"payload of $FARM_EXECUTION_ID\" > out/data.txt'\n" : "")}}{{(name == "ship" ? "          - 'grep -qx \"payload of $FARM_EXECUTION_ID\" out/data.txt'\n" : "")}}
        """;

    private static string Expected(string action, string attemptId) =>
        $"start {attemptId}\n" + string.Concat(Enumerable.Range(1, Lines).Select(i => $"{action} line {i}\n"));

    private static ActionExecution Action(Execution execution, string stage, string action) =>
        execution.Stages.Single(s => s.Name == stage).Actions.Single(a => a.Name == action);

    private async Task<string> ReadLogAsync(string executionId, string stage, string action, int attempt)
    {
        using var call = cluster.Executions.ReadLog(new ReadLogRequest { ExecutionId = executionId, Stage = stage, Action = action, Attempt = attempt });
        var bytes = new MemoryStream();
        await foreach (var chunk in call.ResponseStream.ReadAllAsync())
        {
            Assert.Equal(bytes.Length, chunk.Offset);
            chunk.Data.WriteTo(bytes);
        }

        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    /// <summary>Follows the execution through any controller until <paramref name="until"/> holds; a call broken by the kill is made again.</summary>
    private async Task<Execution> WatchAsync(string executionId, Func<Execution, bool> until, Executions.ExecutionsClient? client = null)
    {
        client ??= cluster.Executions;
        Execution? last = null;
        await Eventually.Until(async cancellation =>
        {
            try
            {
                last = await client.GetExecutionAsync(new GetExecutionRequest { ExecutionId = executionId }, cancellationToken: cancellation);
                return until(last);
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.Internal or StatusCode.Unknown or StatusCode.DeadlineExceeded)
            {
                // The controller this call went to died, or the cluster is still taking over its grains.
                return false;
            }
        }, TimeSpan.FromSeconds(120), () => $"execution {executionId} did not get there; last state: {last}\n{cluster.Output()}");
        return last!;
    }
}
