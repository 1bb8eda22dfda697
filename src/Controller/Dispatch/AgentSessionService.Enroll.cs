using Farm.Api.V1;
using Farm.Controller.Security;
using Grpc.Core;

namespace Farm.Controller.Dispatch;

public sealed partial class AgentSessionService
{
    /// <summary>The interceptor admitted the enrollment token; <see cref="AgentEnrollment"/> takes one use of it.</summary>
    public override async Task<EnrollResponse> Enroll(EnrollRequest request, ServerCallContext context) =>
        new() { Credential = await enrollment.EnrollAsync(Caller.Bearer(context) ?? "", request.AgentId) };
}
