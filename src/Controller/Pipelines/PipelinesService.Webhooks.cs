using Farm.Api.V1;
using Farm.Controller.Triggers;
using Grpc.Core;

namespace Farm.Controller.Pipelines;

public sealed partial class PipelinesService
{
    public override async Task<GetWebhooksResponse> GetWebhooks(GetWebhooksRequest request, ServerCallContext context)
    {
        Require(request.Pipeline, "pipeline");
        // Resolved per call rather than injected: the constructor belongs to PipelinesService.cs.
        WebhookListing listing;
        try
        {
            listing = await webhooks.DescribeAsync(request.Pipeline) ?? throw NotApplied(request.Pipeline);
        }
        catch (InvalidOperationException e)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, e.Message));
        }

        var response = new GetWebhooksResponse();
        response.Webhooks.Add(listing.Webhooks.Select(w => new Webhook
        {
            Source = w.Source,
            Provider = w.Provider,
            Url = w.Url,
            Instructions = w.Instructions,
            Secret = w.Secret,
        }));
        return response;
    }
}
