using Farm.Api.V1;
using Farm.Controller.Artifacts;
using Farm.Controller.Executions;
using Farm.Controller.Hosting;
using Farm.Controller.Logs;
using Farm.Controller.Security;
using Farm.Controller.Telemetry;
using Farm.Core.Executions;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace Farm.Controller.Dispatch;

/// <summary>
/// The agent protocol's server side: adapts each agent's stream to the dispatcher and execution
/// grains. Every message from an agent is checked; a bad one ends that agent's call with a status
/// that says why, and never affects another agent or the controller.
/// </summary>
public sealed partial class AgentSessionService(
    IGrainFactory grains,
    ExecutionGrains executions,
    LogStore logs,
    ArtifactStore artifacts,
    IOptions<ControllerOptions> options,
    AgentStore agents,
    AgentEnrollment enrollment,
    TimeProvider time,
    ILogger<AgentSessionService> logger) : AgentSessions.AgentSessionsBase
{
    public const int ProtocolVersion = 1;

    /// <summary>The most slots an agent may have, and so the most attempts it may name as running.</summary>
    public const int MaxSlots = 1000;

    // Made once per call (an agent's Connect lasts its session): Orleans' GetGrain reflects on every call.
    private IDispatcherGrain Dispatcher => field ??= grains.GetGrain<IDispatcherGrain>(0);

    public override async Task Connect(
        IAsyncStreamReader<AgentMessage> requests, IServerStreamWriter<ControllerMessage> responses, ServerCallContext context)
    {
        var cancellation = context.CancellationToken;
        if (!await requests.MoveNext(cancellation))
        {
            return;
        }

        var hello = ValidateHello(requests.Current);
        // The interceptor admitted the credential; it must be this agent's own.
        if (Caller.Identity(context) is not { Kind: CallerKind.Agent } identity || identity.Name != hello.AgentId)
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied,
                $"hello.agent_id is '{hello.AgentId}' but the credential is {(Caller.Identity(context) is { } other ? $"agent '{other.Name}'s" : "missing")}; an agent says hello with the id it enrolled as."));
        }

        var record = await agents.GetAsync(hello.AgentId);
        await agents.HelloAsync(hello.AgentId, hello.Labels.ToArray(), hello.Slots, hello.Version, time.GetUtcNow());
        var connectionId = Guid.NewGuid();
        var connection = new AgentConnection();
        var observer = grains.CreateObjectReference<IAgentObserver>(connection);
        using var session = CancellationTokenSource.CreateLinkedTokenSource(cancellation, connection.Ended);

        // Attempts the agent still runs from before: each execution says whether it still wants it.
        var keep = new List<string>();
        var abandon = new List<string>();
        foreach (var attemptId in hello.RunningAttemptIds.Distinct())
        {
            (await ClaimAsync(attemptId, hello.AgentId) ? keep : abandon).Add(attemptId);
        }

        var registration = new AgentRegistration(hello.AgentId, connectionId, record?.Labels ?? hello.Labels.ToArray(), hello.Slots, keep.ToArray(),
            Draining: record?.DrainedAt is not null, Host: AgentHost.From(hello.Engine, hello.Policy));
        await Dispatcher.Connect(registration, observer);
        LogSession(hello.AgentId, hello.Version, keep.Count, abandon.Count);

        var welcome = new Welcome { HeartbeatIntervalMs = (int)options.Value.HeartbeatInterval.TotalMilliseconds };
        welcome.AbandonAttemptIds.Add(abandon);
        await responses.WriteAsync(new ControllerMessage { Welcome = welcome }, cancellation);

        var writer = WriteAllAsync(connection, responses, cancellation);
        try
        {
            // Revoked while this session was being set up: end it now rather than at the next call.
            if (record?.RevokedAt is not null || (await agents.GetAsync(hello.AgentId))?.RevokedAt is not null)
            {
                await connection.End($"Agent '{hello.AgentId}' was revoked.");
            }

            while (await requests.MoveNext(session.Token))
            {
                var message = requests.Current;
                // The engine went away or came back: what the agent can be offered changes now.
                // The clock offset changes only what farm doctor shows.
                if (message.Heartbeat is { } beat && registration.Host is { } host)
                {
                    var changed = beat.Engine is { } engine && host.EngineDiffers(engine) ? host.WithEngine(engine) : host;
                    if (beat.SentAt is { } sent && changed.NewClockOffset(sent.ToDateTimeOffset(), time.GetUtcNow()) is { } offset)
                    {
                        changed = changed with { ClockOffset = offset };
                    }

                    if (!ReferenceEquals(changed, host))
                    {
                        registration = registration with { Host = changed };
                        await Dispatcher.HostChanged(hello.AgentId, connectionId, changed);
                    }
                }

                await HandleAsync(registration, observer, connection, message);
            }
        }
        catch (OperationCanceledException) when (connection.EndReason is { } reason)
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, reason));
        }
        finally
        {
            connection.Complete();
            await Dispatcher.Disconnect(hello.AgentId, connectionId);
            grains.DeleteObjectReference<IAgentObserver>(observer);
            await writer;
            await agents.SeenAsync(hello.AgentId, time.GetUtcNow());
        }
    }

    public override async Task ShipLog(
        IAsyncStreamReader<LogUpload> requests, IServerStreamWriter<LogAck> responses, ServerCallContext context)
    {
        var cancellation = context.CancellationToken;
        if (!await requests.MoveNext(cancellation))
        {
            return;
        }

        var attemptId = requests.Current.AttemptId;
        await AuthorizeAsync(context, attemptId, AttemptUse.ShipLog);

        // The opening message carries no bytes: it asks where to resume.
        var chunk = requests.Current;
        // Acknowledged, not stored: past the log cap the two differ (LogStore), and the agent
        // resumes at its own offset.
        await responses.WriteAsync(new LogAck { Stored = logs.Acknowledged(attemptId) }, cancellation);
        while (true)
        {
            if (chunk.Data.Length > 0)
            {
                if (chunk.AttemptId != attemptId)
                {
                    throw new RpcException(new Status(StatusCode.InvalidArgument,
                        $"A log stream carries one attempt: it opened with '{attemptId}' and then sent '{chunk.AttemptId}'."));
                }

                try
                {
                    var stored = await logs.AppendAsync(attemptId, chunk.Offset, chunk.Data.Memory, cancellation);
                    await responses.WriteAsync(new LogAck { Stored = stored }, cancellation);
                }
                catch (LogGapException gap)
                {
                    throw new RpcException(new Status(StatusCode.InvalidArgument, gap.Message));
                }
            }

            if (!await requests.MoveNext(cancellation))
            {
                return;
            }

            chunk = requests.Current;
        }
    }

    private static Hello ValidateHello(AgentMessage first)
    {
        if (first.KindCase != AgentMessage.KindOneofCase.Hello)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument,
                $"An agent's first message must be hello, not {first.KindCase}."));
        }

        var hello = first.Hello;
        if (hello.ProtocolVersion != ProtocolVersion)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition,
                $"This controller speaks agent protocol {ProtocolVersion}; the agent speaks {hello.ProtocolVersion}. Install an agent of the controller's version."));
        }

        if (string.IsNullOrWhiteSpace(hello.AgentId) || hello.AgentId.Length > 200)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "hello.agent_id must be 1 to 200 characters."));
        }

        if (hello.Slots is < 1 or > MaxSlots)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"hello.slots must be 1 to {MaxSlots}, not {hello.Slots}."));
        }

        EnsureWithinSlots("hello.running_attempt_ids", hello.RunningAttemptIds.Count, hello.Slots);
        return hello;
    }

    private async Task HandleAsync(AgentRegistration registration, IAgentObserver observer, AgentConnection connection, AgentMessage message)
    {
        var agentId = registration.AgentId;
        switch (message.KindCase)
        {
            case AgentMessage.KindOneofCase.Heartbeat:
                await HeartbeatAsync(registration, observer, message.Heartbeat);
                break;

            case AgentMessage.KindOneofCase.OfferReply:
                var reply = message.OfferReply;
                await Dispatcher.OfferAnswered(agentId, reply.AttemptId, reply.Accepted);
                if (reply.Accepted && !await ClaimAsync(reply.AttemptId, agentId))
                {
                    // The execution moved on (stale attempt): the agent must not run it.
                    await connection.Cancel(reply.AttemptId, "The execution no longer wants this attempt.", TimeSpan.Zero);
                }

                break;

            case AgentMessage.KindOneofCase.Finished:
                await FinishAsync(agentId, connection, message.Finished);
                break;

            default:
                LogUnexpected(agentId, message.KindCase.ToString());
                break;
        }
    }

    private async Task HeartbeatAsync(AgentRegistration registration, IAgentObserver observer, Heartbeat heartbeat)
    {
        var agentId = registration.AgentId;
        EnsureWithinSlots("heartbeat.running_attempt_ids", heartbeat.RunningAttemptIds.Count, registration.Slots);
        var running = heartbeat.RunningAttemptIds.Distinct().ToArray();
        try
        {
            var reply = await Dispatcher.Heartbeat(agentId, registration.ConnectionId, heartbeat.FreeSlots, running);
            if (!reply.Known)
            {
                // The dispatcher is a new activation that lost its registry (in a cluster, its
                // silo died): this session, on a silo that lives, registers the agent again, with
                // the attempts their executions confirm as this agent's.
                LogRegisteredAgain(agentId);
                var drained = (await agents.GetAsync(agentId))?.DrainedAt is not null;
                var confirmed = new List<string>();
                foreach (var attemptId in running)
                {
                    if (await ClaimAsync(attemptId, agentId))
                    {
                        confirmed.Add(attemptId);
                    }
                }

                await Dispatcher.Connect(registration with { Running = confirmed.ToArray(), Draining = drained }, observer);
            }

            foreach (var attemptId in reply.NotOffered)
            {
                // Counted for nothing already; the execution tells a late report of the agent's own
                // attempt from another agent's, and audits the latter.
                if (AttemptIds.ExecutionOf(attemptId) is { } executionId)
                {
                    await executions.Get(executionId).Authorize(attemptId, agentId, AttemptUse.Heartbeat, null);
                }
            }
        }
        catch (Exception e) when (e is SiloUnavailableException or OrleansMessageRejectionException or TimeoutException)
        {
            // The dispatcher's silo died and the cluster has not yet moved it: the session stays
            // open, and the next heartbeat reaches the dispatcher's new activation.
            LogDispatcherUnreachable(agentId, e.Message);
        }
    }

    private async Task FinishAsync(string agentId, AgentConnection connection, AttemptFinished finished)
    {
        // A child of the agent's span of the attempt: the trace comes back to the controller.
        using var span = FarmTracing.Result(finished.Traceparent, finished.AttemptId);
        // The slot first, so the next stage's attempt finds it free.
        await Dispatcher.Released(agentId, finished.AttemptId);
        if (AttemptIds.ExecutionOf(finished.AttemptId) is { } executionId
            && await executions.Get(executionId).Finish(agentId, new AttemptResult(
                finished.AttemptId, finished.Succeeded, finished.ExitCode < 0 ? null : finished.ExitCode,
                string.IsNullOrEmpty(finished.Message) ? null : finished.Message,
                new Dictionary<string, string>(finished.Outputs),
                finished.Artifacts.Select(a => new Core.Executions.ArtifactRef(a.Name, a.Sha256, a.Size)).ToArray())) == AttemptAccess.NotOffered)
        {
            // Refused and audited by the execution. Not acknowledged: the agent is told to drop the
            // attempt, so an agent that lost a race for it stops resending a result nobody takes.
            await connection.Cancel(finished.AttemptId, NotOffered(finished.AttemptId, agentId), TimeSpan.Zero);
            return;
        }

        connection.Send(new ControllerMessage { FinishedAck = new FinishedAck { AttemptId = finished.AttemptId } });
    }

    /// <summary>
    /// Lets the calling agent act on the attempt only if its execution says the attempt is the
    /// agent's (and, with <paramref name="archive"/>, that archive one of its inputs); otherwise an
    /// RpcException: NOT_FOUND for an attempt that is not current, PERMISSION_DENIED for another's.
    /// </summary>
    private async Task AuthorizeAsync(ServerCallContext context, string attemptId, AttemptUse use, string? archive = null)
    {
        if (Caller.Identity(context) is not { Kind: CallerKind.Agent, Name: var agentId })
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, $"{context.Method} takes an agent credential (agent.ID.SECRET)."));
        }

        var access = AttemptIds.ExecutionOf(attemptId) is { } executionId
            ? await executions.Get(executionId).Authorize(attemptId, agentId, use, archive)
            : AttemptAccess.Unknown;
        switch (access)
        {
            case AttemptAccess.Unknown:
                throw new RpcException(new Status(StatusCode.NotFound, $"No attempt '{attemptId}' was offered by this controller, or it is no longer current."));
            case AttemptAccess.NotOffered:
                throw new RpcException(new Status(StatusCode.PermissionDenied, NotOffered(attemptId, agentId)));
            case AttemptAccess.NotAnInput:
                throw new RpcException(new Status(StatusCode.PermissionDenied,
                    $"Archive {archive} is not an input of attempt '{attemptId}': an attempt downloads only the artifacts its action names as inputs."));
        }
    }

    private static string NotOffered(string attemptId, string agentId) =>
        $"Attempt '{attemptId}' was not offered to agent '{agentId}': an agent acts only on the attempts offered to it, and never on an approval or another action the controller runs.";

    /// <summary>An agent names at most as many running attempts as it has slots; more is a broken or hostile agent.</summary>
    private static void EnsureWithinSlots(string field, int count, int slots)
    {
        if (count > slots)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument,
                $"{field} names {count} attempts, but the agent has {slots} slots: an agent runs at most one attempt per slot (and at most {MaxSlots})."));
        }
    }

    private async Task<bool> ClaimAsync(string attemptId, string agentId) =>
        AttemptIds.ExecutionOf(attemptId) is { } executionId
        && await executions.Get(executionId).Claim(attemptId, agentId);

    private static async Task WriteAllAsync(AgentConnection connection, IServerStreamWriter<ControllerMessage> responses, CancellationToken cancellation)
    {
        try
        {
            await foreach (var message in connection.Outbox.ReadAllAsync(cancellation))
            {
                await responses.WriteAsync(message, cancellation);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or InvalidOperationException or IOException)
        {
            // The call ended; the session's finally block cleans up.
        }
    }

    [LoggerMessage(EventId = 1300, Level = LogLevel.Information, Message = "Agent {AgentId} ({Version}) in session; resumes {Kept} attempts, abandons {Abandoned}")]
    private partial void LogSession(string agentId, string version, int kept, int abandoned);

    [LoggerMessage(EventId = 1303, Level = LogLevel.Warning, Message = "Agent {AgentId}'s heartbeat did not reach the dispatcher: {Reason}")]
    private partial void LogDispatcherUnreachable(string agentId, string reason);

    [LoggerMessage(EventId = 1302, Level = LogLevel.Information, Message = "Agent {AgentId} registered again with a new dispatcher")]
    private partial void LogRegisteredAgain(string agentId);

    [LoggerMessage(EventId = 1301, Level = LogLevel.Warning, Message = "Agent {AgentId} sent an unexpected {Kind} message; ignored")]
    private partial void LogUnexpected(string agentId, string kind);
}
