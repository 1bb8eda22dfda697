using System.Reflection;
using System.Threading.Channels;
using Farm.Agent.Attempts;
using Farm.Agent.Executors;
using Farm.Agent.Hosting;
using Farm.Api.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace Farm.Agent.Sessions;

/// <summary>
/// Keeps one control stream open to the controller, reconnecting with jittered backoff for as long
/// as the agent runs: says hello (with what it still runs), heartbeats, takes offers into the
/// <see cref="AttemptSupervisor"/>, and reports results until the controller acknowledges them.
/// Stopping (SIGTERM) drains: the session stays open, heartbeating and refusing offers, while
/// <see cref="AttemptSupervisor.ShutDownAsync"/> lets running attempts finish or stops them after
/// the grace; only then does the session close. The controller's <c>drain</c> message drains too,
/// without stopping.
/// </summary>
public sealed partial class AgentWorker(
    AgentSessions.AgentSessionsClient client,
    ControllerCallOptions callOptions,
    AttemptSupervisor attempts,
    EngineMonitor engine,
    IOptions<AgentOptions> options,
    IOptions<DrainOptions> drain,
    TimeProvider time,
    ILogger<AgentWorker> logger) : BackgroundService
{
    private const int ProtocolVersion = 1;

    private static readonly string Version =
        typeof(AgentWorker).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    /// <summary>Drains before the session is cancelled, so heartbeats and results go on meanwhile.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await attempts.ShutDownAsync(drain.Value, cancellationToken);
        }
        finally
        {
            await base.StopAsync(cancellationToken);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var backoff = new Backoff(options.Value.MaxReconnectDelay);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await SessionAsync(backoff, stoppingToken);
                LogSessionEnded(options.Value.Controller);
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.FailedPrecondition or StatusCode.InvalidArgument or StatusCode.Unauthenticated or StatusCode.PermissionDenied)
            {
                // The controller refuses this agent; retrying fast would not change its mind.
                LogRefused(options.Value.Controller, e.Status.Detail);
                try
                {
                    await Task.Delay(options.Value.MaxReconnectDelay, stoppingToken);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return;
                }

                continue;
            }
            catch (Exception e) when (stoppingToken.IsCancellationRequested && e is RpcException or IOException or HttpRequestException or OperationCanceledException)
            {
                // A normal stop: the session ended because the agent stops, not because anything failed.
                return;
            }
            catch (Exception e) when (e is RpcException or IOException or HttpRequestException)
            {
                LogDisconnected(options.Value.Controller, e.Message);
            }

            try
            {
                await Task.Delay(backoff.Next(), stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private async Task SessionAsync(Backoff backoff, CancellationToken stoppingToken)
    {
        using var session = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        // Hello says what the engine check at start found; later changes go with heartbeats.
        await engine.WaitForFirstCheckAsync(session.Token);
        using var call = client.Connect(callOptions.Create(session.Token));
        var hello = new Hello
        {
            Engine = engine.Current,
            Policy = options.Value.Policy(),
            ProtocolVersion = ProtocolVersion,
            AgentId = options.Value.AgentId,
            Version = Version,
            Slots = options.Value.Slots,
        };
        hello.Labels.Add(options.Value.Labels);
        hello.RunningAttemptIds.Add(attempts.RunningIds);
        await call.RequestStream.WriteAsync(new AgentMessage { Hello = hello }, session.Token);

        if (!await call.ResponseStream.MoveNext(session.Token) || call.ResponseStream.Current.Welcome is not { } welcome)
        {
            throw new IOException("The controller did not answer hello with welcome.");
        }

        backoff.Reset();
        LogConnected(options.Value.Controller, options.Value.AgentId, welcome.AbandonAttemptIds.Count);
        foreach (var attemptId in welcome.AbandonAttemptIds)
        {
            attempts.Abandon(attemptId);
        }

        // One writer for the request stream; everything else queues here.
        var outbox = Channel.CreateUnbounded<AgentMessage>(new UnboundedChannelOptions { SingleReader = true });
        var interval = TimeSpan.FromMilliseconds(Math.Max(100, welcome.HeartbeatIntervalMs));
        var tasks = new[]
        {
            WriteAllAsync(call, outbox.Reader, session.Token),
            HeartbeatAsync(outbox.Writer, interval, session.Token),
            ReportResultsAsync(outbox.Writer, session.Token),
        };

        try
        {
            while (await call.ResponseStream.MoveNext(session.Token))
            {
                Handle(call.ResponseStream.Current, outbox.Writer);
            }
        }
        finally
        {
            outbox.Writer.TryComplete();
            await session.CancelAsync();
            await Task.WhenAll(tasks.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));
        }
    }

    private void Handle(ControllerMessage message, ChannelWriter<AgentMessage> outbox)
    {
        switch (message.KindCase)
        {
            case ControllerMessage.KindOneofCase.Offer:
                var offer = message.Offer;
                var accepted = attempts.TryAccept(offer, out var refusal);
                LogOffer(offer.AttemptId, offer.Stage, offer.Action, accepted ? "accepted" : "refused: " + refusal);
                outbox.TryWrite(new AgentMessage
                {
                    OfferReply = new OfferReply { AttemptId = offer.AttemptId, Accepted = accepted, Reason = refusal },
                });
                break;
            case ControllerMessage.KindOneofCase.Drain:
                attempts.Drain(string.IsNullOrWhiteSpace(message.Drain.Reason) ? "the controller asked" : message.Drain.Reason);
                break;
            case ControllerMessage.KindOneofCase.Cancel:
                attempts.Abandon(message.Cancel.AttemptId, TimeSpan.FromMilliseconds(Math.Max(0, message.Cancel.GraceMs)));
                break;
            case ControllerMessage.KindOneofCase.FinishedAck:
                attempts.Acknowledge(message.FinishedAck.AttemptId);
                break;
        }
    }

    private Task HeartbeatAsync(ChannelWriter<AgentMessage> outbox, TimeSpan interval, CancellationToken cancellationToken) =>
        Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(interval);
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                outbox.TryWrite(Heartbeat());
            }
        }, cancellationToken);

    /// <summary>
    /// Sends every unacknowledged result once per session, and a heartbeat after, since a slot came
    /// free; a heartbeat too as soon as the agent drains, since its slots are then closed, and as soon
    /// as its engine goes or comes back, since what it can be offered changes.
    /// </summary>
    private Task ReportResultsAsync(ChannelWriter<AgentMessage> outbox, CancellationToken cancellationToken) =>
        Task.Run(async () =>
        {
            var sent = new HashSet<string>();
            var draining = attempts.IsDraining;
            var available = engine.Current.Available;
            while (!cancellationToken.IsCancellationRequested)
            {
                var changed = Task.WhenAny(attempts.ResultsChanged, engine.Changed);
                var fresh = attempts.Unacknowledged.Where(r => sent.Add(r.AttemptId)).ToList();
                foreach (var result in fresh)
                {
                    outbox.TryWrite(new AgentMessage { Finished = result });
                }

                if (fresh.Count > 0 || draining != attempts.IsDraining || available != engine.Current.Available)
                {
                    draining = attempts.IsDraining;
                    available = engine.Current.Available;
                    outbox.TryWrite(Heartbeat());
                }

                await changed.WaitAsync(cancellationToken);
            }
        }, cancellationToken);

    private AgentMessage Heartbeat()
    {
        var heartbeat = new Heartbeat { FreeSlots = attempts.FreeSlots, Engine = engine.Current, SentAt = Timestamp.FromDateTimeOffset(time.GetUtcNow()) };
        heartbeat.RunningAttemptIds.Add(attempts.RunningIds);
        return new AgentMessage { Heartbeat = heartbeat };
    }

    private static async Task WriteAllAsync(
        AsyncDuplexStreamingCall<AgentMessage, ControllerMessage> call, ChannelReader<AgentMessage> outbox, CancellationToken cancellationToken)
    {
        await foreach (var message in outbox.ReadAllAsync(cancellationToken))
        {
            await call.RequestStream.WriteAsync(message, cancellationToken);
        }
    }

    [LoggerMessage(EventId = 2000, Level = LogLevel.Information, Message = "Connected to {Controller} as {AgentId}; abandoning {Abandoned} attempts")]
    private partial void LogConnected(string controller, string agentId, int abandoned);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "Lost the controller at {Controller}: {Reason}; reconnecting")]
    private partial void LogDisconnected(string controller, string reason);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Error, Message = "The controller at {Controller} refused this agent: {Reason}")]
    private partial void LogRefused(string controller, string reason);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Information, Message = "Offer {AttemptId} ({Stage}/{Action}) {Decision}")]
    private partial void LogOffer(string attemptId, string stage, string action, string decision);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Warning, Message = "The controller at {Controller} ended the session; reconnecting")]
    private partial void LogSessionEnded(string controller);
}
