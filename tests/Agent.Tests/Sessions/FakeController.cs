using System.Collections.Concurrent;
using System.Net;
using System.Threading.Channels;
using Farm.Api.V1;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Farm.Agent.Tests.Sessions;

/// <summary>
/// A stand-in for the controller's agent protocol on a free local port: stores every log it is
/// sent and acknowledges it, welcomes an agent on its control stream, then sends what the test
/// puts in <see cref="Send"/> and records what the agent says in <see cref="Received"/>.
/// Acknowledges every result at once unless <see cref="AcknowledgeResults"/> is false.
/// </summary>
public sealed class FakeController : IAsyncDisposable
{
    private WebApplication _app = null!;

    public string Address { get; private set; } = "";

    public Channel<ControllerMessage> Send { get; } = Channel.CreateUnbounded<ControllerMessage>();

    public Channel<AgentMessage> Received { get; } = Channel.CreateUnbounded<AgentMessage>();

    public ConcurrentDictionary<string, MemoryStream> Logs { get; } = new();

    public bool AcknowledgeResults { get; set; } = true;

    public static async Task<FakeController> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        var controller = new FakeController();
        builder.Services.AddSingleton(controller);
        var app = builder.Build();
        controller._app = app;
        app.MapGrpcService<Service>();
        await app.StartAsync();
        controller.Address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return controller;
    }

    /// <summary>The next message the agent sent that <paramref name="match"/> picks, skipping the rest; fails after 30 s.</summary>
    public async Task<AgentMessage> ReceiveAsync(Func<AgentMessage, bool> match)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var message = await Received.Reader.ReadAsync(timeout.Token);
            if (match(message))
            {
                return message;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private sealed class Service(FakeController owner) : AgentSessions.AgentSessionsBase
    {
        private FakeController Owner => owner;

        public override async Task Connect(IAsyncStreamReader<AgentMessage> requestStream, IServerStreamWriter<ControllerMessage> responseStream, ServerCallContext context)
        {
            if (!await requestStream.MoveNext(context.CancellationToken))
            {
                return;
            }

            await owner.Received.Writer.WriteAsync(requestStream.Current);
            var writeLock = new SemaphoreSlim(1, 1);
            async Task WriteAsync(ControllerMessage message)
            {
                await writeLock.WaitAsync(context.CancellationToken);
                try
                {
                    await responseStream.WriteAsync(message, context.CancellationToken);
                }
                finally
                {
                    writeLock.Release();
                }
            }

            await WriteAsync(new ControllerMessage { Welcome = new Welcome { HeartbeatIntervalMs = 100 } });
            var sending = Task.Run(async () =>
            {
                await foreach (var message in owner.Send.Reader.ReadAllAsync(context.CancellationToken))
                {
                    await WriteAsync(message);
                }
            });
            while (await requestStream.MoveNext(context.CancellationToken))
            {
                var message = requestStream.Current;
                await owner.Received.Writer.WriteAsync(message);
                if (message.Finished is { } finished && owner.AcknowledgeResults)
                {
                    await WriteAsync(new ControllerMessage { FinishedAck = new FinishedAck { AttemptId = finished.AttemptId } });
                }
            }

            await sending.ContinueWith(_ => { }, TaskScheduler.Default);
        }

        public override async Task ShipLog(IAsyncStreamReader<LogUpload> requestStream, IServerStreamWriter<LogAck> responseStream, ServerCallContext context)
        {
            MemoryStream? log = null;
            while (await requestStream.MoveNext(context.CancellationToken))
            {
                var upload = requestStream.Current;
                log ??= Owner.Logs.GetOrAdd(upload.AttemptId, _ => new MemoryStream());
                lock (log)
                {
                    if (upload.Offset == log.Length)
                    {
                        log.Write(upload.Data.Span);
                    }
                }

                await responseStream.WriteAsync(new LogAck { Stored = log.Length }, context.CancellationToken);
            }
        }
    }
}
