using System.Threading.Channels;
using Farm.Api.V1;
using Grpc.Core;
using Grpc.Net.Client;

namespace Farm.Bench;

/// <summary>
/// An agent that speaks the agent protocol and runs nothing: one <c>Connect</c> stream with its own
/// credential; hello (its label, 2 slots), then a heartbeat every interval the welcome names
/// (all slots free, nothing running), and every offer accepted and at once reported finished,
/// succeeded with exit code 0. No container, no process, no workspace, no log (so no ShipLog), no
/// artifacts. What it costs the controller is the protocol and the bookkeeping, nothing else.
/// </summary>
public sealed class SimulatedAgent(string agentId, string credential, string label, GrpcChannel channel, Action<JobOffer>? onOffer = null)
{
    public const int Slots = 2;

    private readonly TaskCompletionSource _welcomed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _acknowledged;
    private int _unexpected;
    private int _reconnects;

    public string AgentId => agentId;

    /// <summary>The heartbeat interval the welcome named; zero before it.</summary>
    public TimeSpan HeartbeatInterval { get; private set; }

    /// <summary>Completes at the welcome; faults if the stream ends before it.</summary>
    public Task Welcomed => _welcomed.Task;

    /// <summary>Results the controller acknowledged (finished_ack).</summary>
    public int Acknowledged => Volatile.Read(ref _acknowledged);

    /// <summary>Cancel and drain messages: none are expected.</summary>
    public int Unexpected => Volatile.Read(ref _unexpected);

    /// <summary>
    /// Runs the session until <paramref name="cancellationToken"/> is cancelled. A stream the
    /// controller ends, or breaks, is an error: this agent does not reconnect.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var client = new AgentSessions.AgentSessionsClient(channel);
        var headers = new Metadata { { "authorization", "Bearer " + credential } };
        // Heartbeats and replies come from two places; one writer keeps the request stream's writes in order.
        var outbox = Channel.CreateUnbounded<AgentMessage>(new UnboundedChannelOptions { SingleReader = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task? writer = null;
        Task? heartbeats = null;
        try
        {
            using var call = client.Connect(headers, cancellationToken: stop.Token);
            // It runs nothing for real: it says it has an engine and allows shell, so it is offered every kind of action.
            var hello = new Hello
            {
                ProtocolVersion = 1, AgentId = agentId, Version = "farm-bench-simulated", Slots = Slots,
                Engine = new EngineStatus { Available = true, Version = "simulated" },
                Policy = new HostPolicy { AllowShell = true },
            };
            hello.Labels.Add(label);
            await call.RequestStream.WriteAsync(new AgentMessage { Hello = hello }, stop.Token);
            writer = WriteAllAsync(call.RequestStream, outbox.Reader, stop.Token);
            await foreach (var message in call.ResponseStream.ReadAllAsync(stop.Token))
            {
                switch (message.KindCase)
                {
                    case ControllerMessage.KindOneofCase.Welcome:
                        HeartbeatInterval = TimeSpan.FromMilliseconds(message.Welcome.HeartbeatIntervalMs);
                        heartbeats ??= HeartbeatAsync(outbox.Writer, HeartbeatInterval, stop.Token);
                        _welcomed.TrySetResult();
                        break;
                    case ControllerMessage.KindOneofCase.Offer:
                        var attemptId = message.Offer.AttemptId;
                        onOffer?.Invoke(message.Offer);
                        outbox.Writer.TryWrite(new AgentMessage { OfferReply = new OfferReply { AttemptId = attemptId, Accepted = true } });
                        outbox.Writer.TryWrite(new AgentMessage { Finished = new AttemptFinished { AttemptId = attemptId, Succeeded = true, ExitCode = 0 } });
                        break;
                    case ControllerMessage.KindOneofCase.FinishedAck:
                        Interlocked.Increment(ref _acknowledged);
                        break;
                    default:
                        Interlocked.Increment(ref _unexpected);
                        break;
                }
            }

            throw new BenchException($"The controller ended simulated agent {agentId}'s stream.");
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped by the harness.
        }
        catch (Exception e)
        {
            _welcomed.TrySetException(e);
            throw;
        }
        finally
        {
            stop.Cancel();
            outbox.Writer.TryComplete();
            await Quietly(writer);
            await Quietly(heartbeats);
        }
    }

    /// <summary>
    /// Runs sessions one after another until <paramref name="cancellationToken"/> is cancelled: as a
    /// real agent does, it says hello again (through its channel, to the next controller that answers)
    /// when its stream breaks. For the cluster suite, whose controllers are killed on purpose.
    /// </summary>
    public async Task RunReconnectingAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await RunAsync(cancellationToken);
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
                Interlocked.Increment(ref _reconnects);
                await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    /// <summary>Sessions <see cref="RunReconnectingAsync"/> opened again after a break.</summary>
    public int Reconnects => Volatile.Read(ref _reconnects);

    private static async Task HeartbeatAsync(ChannelWriter<AgentMessage> outbox, TimeSpan interval, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(interval);
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            // Offers are answered and finished in the same breath, so nothing is ever running.
            outbox.TryWrite(new AgentMessage { Heartbeat = new Heartbeat { FreeSlots = Slots } });
        }
    }

    private static async Task WriteAllAsync(IClientStreamWriter<AgentMessage> requests, ChannelReader<AgentMessage> outbox, CancellationToken cancellationToken)
    {
        await foreach (var message in outbox.ReadAllAsync(cancellationToken))
        {
            await requests.WriteAsync(message, cancellationToken);
        }
    }

    private static async Task Quietly(Task? task)
    {
        if (task is null)
        {
            return;
        }

        try
        {
            await task;
        }
        catch (Exception e) when (e is OperationCanceledException or RpcException or InvalidOperationException)
        {
            // The stream is being torn down.
        }
    }
}
