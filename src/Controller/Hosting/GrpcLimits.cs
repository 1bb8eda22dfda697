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
/// </remarks>
public static class GrpcLimits
{
    /// <summary>The largest request message: 4 MiB.</summary>
    public const int MaxReceiveMessageBytes = 4 << 20;

    /// <summary>The largest reply message: 16 MiB.</summary>
    public const int MaxSendMessageBytes = 16 << 20;

    /// <summary>Sets the message size limits; call from <c>AddGrpc(options => ...)</c>.</summary>
    public static GrpcServiceOptions ConfigureFarmGrpcLimits(this GrpcServiceOptions options)
    {
        options.MaxReceiveMessageSize = MaxReceiveMessageBytes;
        options.MaxSendMessageSize = MaxSendMessageBytes;
        return options;
    }
}
