using Grpc.Core;
using Microsoft.Extensions.Options;

namespace Farm.Agent.Hosting;

/// <summary>Call options for every call to the controller: the token header, when one is set.</summary>
public sealed class ControllerCallOptions(IOptions<AgentOptions> options)
{
    public CallOptions Create(CancellationToken cancellationToken)
    {
        var headers = new Metadata();
        if (!string.IsNullOrEmpty(options.Value.Token))
        {
            headers.Add("authorization", "Bearer " + options.Value.Token);
        }

        return new CallOptions(headers, cancellationToken: cancellationToken);
    }
}
