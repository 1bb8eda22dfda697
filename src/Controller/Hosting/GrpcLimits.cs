using Grpc.AspNetCore.Server;

namespace Farm.Controller.Hosting;

/// <summary>
/// The sizes of the messages the controller's gRPC services take and give, set explicitly rather
/// than left to the library's defaults, which differ between server and client and between versions.
/// </summary>
/// <remarks>
/// Log and artifact chunks are 64 KiB and a pipeline file at most 1 MiB
/// (<c>DocumentLimits.MaxBytes</c>), so 4 MiB in leaves ample room while a runaway or
/// hostile client cannot make the controller buffer an arbitrary message. A larger message is
/// refused with RESOURCE_EXHAUSTED before any service sees it. Replies (execution histories,
/// pipeline listings) may reach 16 MiB; a client reading them must accept as much (the gRPC .NET
/// client takes 4 MiB unless its channel says otherwise).
/// The agent protocol takes less (<see cref="MaxAgentReceiveMessageBytes"/>): what an agent sends
/// is known in size. Log and artifact chunks are 64 KiB; hello and heartbeat name at most one
/// attempt per slot (1,000 at most, checked by the service); the largest message is a result,
/// whose output variables come from a <c>$FARM_OUTPUT</c> file of at most 1 MiB.
/// </remarks>
public static class GrpcLimits
{
    /// <summary>The largest request message: 4 MiB.</summary>
    public const int MaxReceiveMessageBytes = 4 << 20;

    /// <summary>The largest reply message: 16 MiB.</summary>
    public const int MaxSendMessageBytes = 16 << 20;

    /// <summary>The largest message an agent may send on the agent protocol: 2 MiB.</summary>
    public const int MaxAgentReceiveMessageBytes = 2 << 20;

    /// <summary>Sets the message size limits; call from <c>AddGrpc(options => ...)</c>.</summary>
    public static GrpcServiceOptions ConfigureFarmGrpcLimits(this GrpcServiceOptions options)
    {
        options.MaxReceiveMessageSize = MaxReceiveMessageBytes;
        options.MaxSendMessageSize = MaxSendMessageBytes;
        return options;
    }

    /// <summary>Sets the agent protocol's tighter limit; call from <c>AddServiceOptions</c> of the agent service.</summary>
    public static GrpcServiceOptions ConfigureFarmAgentGrpcLimits(this GrpcServiceOptions options)
    {
        options.MaxReceiveMessageSize = MaxAgentReceiveMessageBytes;
        return options;
    }
}
