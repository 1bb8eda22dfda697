using Farm.Api.V1;
using Grpc.Core;

namespace Farm.EndToEnd.Tests;

[Collection(FarmCollection.Name)]
public sealed class BadInputTests(FarmHost farm)
{
    private const string Valid = """
        name: guarded
        variables:
          - name: env
            default: dev
        stages:
          - name: Build
            actions:
              - name: compile
                type: shell
                commands: [ "echo ok" ]
        """;

    [Fact]
    public async Task Invalid_file_is_refused_whole_with_every_error_and_the_stored_version_stays()
    {
        await farm.Pipelines.ApplyPipelineAsync(new ApplyPipelineRequest { Definition = Valid });
        const string broken = """
            name: guarded
            stages:
              - name: Build
                actions:
                  - name: compile
                    type: container
                    image: Not A/Valid Image
                    runOrder: 1000
                    commands: [ "echo x" ]
                  - name: compile
                    type: teleport
                    commands: [ "echo y" ]
                    runson: [linux]
            """;

        var error = await Assert.ThrowsAsync<RpcException>(() => farm.Pipelines.ApplyPipelineAsync(new ApplyPipelineRequest { Definition = broken }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("nothing was stored", error.Status.Detail);
        Assert.Contains("line 7, column 16: invalid image 'Not A/Valid Image'", error.Status.Detail);
        Assert.Contains("line 8, column 19: runOrder '1000'", error.Status.Detail);
        Assert.Contains("line 10, column 15: duplicate action name 'compile'", error.Status.Detail);
        Assert.Contains("unknown action type 'teleport'", error.Status.Detail);
        Assert.Contains("did you mean 'runsOn'?", error.Status.Detail);
        var stored = await farm.Pipelines.GetPipelineAsync(new GetPipelineRequest { Name = "guarded" });
        Assert.Equal((1, Valid), (stored.Version, stored.Definition));
    }

    [Fact]
    public async Task Pipeline_file_over_1_MiB_and_message_over_4_MiB_are_refused_with_a_sentence()
    {
        var big = Valid + "# " + new string('x', (int)(1.3 * (1 << 20))) + "\n";
        var huge = Valid + "# " + new string('x', 5 << 20) + "\n";

        var applied = await Assert.ThrowsAsync<RpcException>(() => farm.Pipelines.ApplyPipelineAsync(new ApplyPipelineRequest { Definition = big }).ResponseAsync);
        var validated = await Assert.ThrowsAsync<RpcException>(() => farm.Pipelines.ValidatePipelineAsync(new ValidatePipelineRequest { Definition = big }).ResponseAsync);
        var oversized = await Assert.ThrowsAsync<RpcException>(() => farm.Pipelines.ValidatePipelineAsync(new ValidatePipelineRequest { Definition = huge }).ResponseAsync);

        Assert.Equal((StatusCode.InvalidArgument, "The pipeline file is 1.3 MiB; the limit is 1 MiB."), (applied.StatusCode, applied.Status.Detail));
        Assert.Equal((StatusCode.InvalidArgument, "The pipeline file is 1.3 MiB; the limit is 1 MiB."), (validated.StatusCode, validated.Status.Detail));
        Assert.Equal((StatusCode.ResourceExhausted, "Received message exceeds the maximum configured message size."), (oversized.StatusCode, oversized.Status.Detail));
    }

    [Fact]
    public async Task Api_calls_with_bad_arguments_get_the_right_status_and_a_sentence()
    {
        await farm.Pipelines.ApplyPipelineAsync(new ApplyPipelineRequest { Definition = Valid });

        async Task<RpcException> Fails(Func<Task> call) => await Assert.ThrowsAsync<RpcException>(call);

        var unknownPipeline = await Fails(() => farm.Executions.StartExecutionAsync(new StartExecutionRequest { Pipeline = "nope" }).ResponseAsync);
        var badVariable = await Fails(() => farm.Executions.StartExecutionAsync(new StartExecutionRequest { Pipeline = "guarded", Variables = { ["colour"] = "red" } }).ResponseAsync);
        var noExecution = await Fails(() => farm.Executions.GetExecutionAsync(new GetExecutionRequest { ExecutionId = "guarded-999" }).ResponseAsync);
        var emptyName = await Fails(() => farm.Executions.StartExecutionAsync(new StartExecutionRequest()).ResponseAsync);
        var noVersion = await Fails(() => farm.Pipelines.GetPipelineAsync(new GetPipelineRequest { Name = "guarded", Version = 42 }).ResponseAsync);

        Assert.Equal((StatusCode.NotFound, "No pipeline named 'nope' has been applied."), (unknownPipeline.StatusCode, unknownPipeline.Status.Detail));
        Assert.Equal((StatusCode.InvalidArgument, "Pipeline 'guarded' has no variable 'colour' (it declares env)."), (badVariable.StatusCode, badVariable.Status.Detail));
        Assert.Equal((StatusCode.NotFound, "No execution 'guarded-999' exists."), (noExecution.StatusCode, noExecution.Status.Detail));
        Assert.Equal((StatusCode.InvalidArgument, "pipeline is required."), (emptyName.StatusCode, emptyName.Status.Detail));
        Assert.Equal((StatusCode.NotFound, "Pipeline 'guarded' has no version 42."), (noVersion.StatusCode, noVersion.Status.Detail));
    }

    [Fact]
    public async Task Agent_that_speaks_another_protocol_or_skips_hello_is_refused_clearly()
    {
        var sessions = new AgentSessions.AgentSessionsClient(farm.With(await farm.EnrollAsync("x")));
        async Task<RpcException> Connect(AgentMessage first)
        {
            using var call = sessions.Connect();
            await call.RequestStream.WriteAsync(first);
            return await Assert.ThrowsAsync<RpcException>(async () => await call.ResponseStream.MoveNext());
        }

        var noHello = await Connect(new AgentMessage { Heartbeat = new Heartbeat { FreeSlots = 1 } });
        var future = await Connect(new AgentMessage { Hello = new Hello { ProtocolVersion = 99, AgentId = "x", Slots = 1 } });

        Assert.Equal((StatusCode.InvalidArgument, "An agent's first message must be hello, not Heartbeat."), (noHello.StatusCode, noHello.Status.Detail));
        Assert.Equal(StatusCode.FailedPrecondition, future.StatusCode);
        Assert.StartsWith("This controller speaks agent protocol 1; the agent speaks 99.", future.Status.Detail);
    }

    [Fact]
    public async Task Commands_on_missing_or_finished_things_get_the_right_status_and_change_nothing()
    {
        var id = await farm.ApplyAndStartAsync(Valid);
        var done = await farm.WatchAsync(id);
        async Task<RpcException> Fails(Func<Task> call) => await Assert.ThrowsAsync<RpcException>(call);

        var stopMissing = await Fails(() => farm.Executions.StopExecutionAsync(new StopExecutionRequest { ExecutionId = "guarded-404" }).ResponseAsync);
        var stopFinished = await Fails(() => farm.Executions.StopExecutionAsync(new StopExecutionRequest { ExecutionId = id }).ResponseAsync);
        var retryUnknown = await Fails(() => farm.Executions.RetryStageAsync(new RetryStageRequest { ExecutionId = id, Stage = "Nope" }).ResponseAsync);
        var retrySucceeded = await Fails(() => farm.Executions.RetryStageAsync(new RetryStageRequest { ExecutionId = id, Stage = "Build" }).ResponseAsync);
        var rollbackNoTarget = await Fails(() => farm.Executions.RollbackStageAsync(new RollbackStageRequest { Pipeline = "guarded", Stage = "Build", TargetExecutionId = "guarded-404" }).ResponseAsync);
        var disableUnknown = await Fails(() => farm.Pipelines.DisableTransitionAsync(new DisableTransitionRequest { Pipeline = "guarded", Stage = "Nope", Reason = "x" }).ResponseAsync);
        var disableNoReason = await Fails(() => farm.Pipelines.DisableTransitionAsync(new DisableTransitionRequest { Pipeline = "guarded", Stage = "Build" }).ResponseAsync);
        var badPage = await Fails(() => farm.Executions.ListExecutionsAsync(new ListExecutionsRequest { Pipeline = "guarded", PageToken = "x" }).ResponseAsync);
        var after = await farm.Executions.GetExecutionAsync(new GetExecutionRequest { ExecutionId = id });

        Assert.Equal((StatusCode.NotFound, "No execution 'guarded-404' exists."), (stopMissing.StatusCode, stopMissing.Status.Detail));
        Assert.Equal(StatusCode.FailedPrecondition, stopFinished.StatusCode);
        Assert.Equal($"Execution '{id}' has already finished (Succeeded); there is nothing to stop.", stopFinished.Status.Detail);
        Assert.Equal((StatusCode.NotFound, $"Execution '{id}' has no stage 'Nope'; its stages are Build."), (retryUnknown.StatusCode, retryUnknown.Status.Detail));
        Assert.Equal(StatusCode.FailedPrecondition, retrySucceeded.StatusCode);
        Assert.Equal((StatusCode.NotFound, "Pipeline 'guarded' has no execution 'guarded-404'."), (rollbackNoTarget.StatusCode, rollbackNoTarget.Status.Detail));
        Assert.Equal(StatusCode.NotFound, disableUnknown.StatusCode);
        Assert.Equal((StatusCode.InvalidArgument, "reason is required."), (disableNoReason.StatusCode, disableNoReason.Status.Detail));
        Assert.Equal(StatusCode.InvalidArgument, badPage.StatusCode);
        Assert.Equal(done.Revision, after.Revision);
        Assert.True((await farm.Pipelines.GetPipelineStateAsync(new GetPipelineStateRequest { Name = "guarded" })).Stages[0].TransitionEnabled);
    }
}
