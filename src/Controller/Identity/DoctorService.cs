using System.Reflection;
using Farm.Api.V1;
using Farm.Controller.Storage;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace Farm.Controller.Identity;

/// <summary>The Doctor API: the controller's own view of its health, for <c>farm doctor</c>.</summary>
public sealed class DoctorService(FarmDatabase database, StoreHealthCheck store, TimeProvider time) : Doctor.DoctorBase
{
    private static readonly string Version =
        typeof(DoctorService).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    public override async Task<ExamineResponse> Examine(ExamineRequest request, ServerCallContext context) => new()
    {
        Store = database.Dialect.Name,
        StoreLocation = database.Dialect.Location,
        StoreProblem = await store.ProblemAsync(context.CancellationToken) ?? "",
        Version = Version,
        // Last, so the time is as close to the answer as it can be.
        Now = Timestamp.FromDateTimeOffset(time.GetUtcNow()),
    };
}
