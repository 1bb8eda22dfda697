using Farm.Agent.Enrollment;
using Farm.Api.V1;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace Farm.Agent.Hosting;

/// <summary>
/// Call options for every call to the controller: the agent's credential as a bearer token. The first
/// call of a new agent enrolls it (see <see cref="AgentCredential"/>); a refusal surfaces as the
/// controller's <see cref="RpcException"/> from here.
/// </summary>
public sealed class ControllerCallOptions(IOptions<AgentOptions> options, AgentSessions.AgentSessionsClient client, ILoggerFactory loggers)
{
    private readonly AgentCredential _credential = new(options, client, loggers.CreateLogger<AgentCredential>());

    public CallOptions Create(CancellationToken cancellationToken)
    {
        var headers = new Metadata { { "authorization", "Bearer " + _credential.Get() } };
        return new CallOptions(headers, cancellationToken: cancellationToken);
    }
}
