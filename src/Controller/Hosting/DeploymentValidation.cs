using Farm.Controller.Cluster;
using Farm.Controller.Storage;
using Microsoft.Extensions.Options;

namespace Farm.Controller.Hosting;

/// <summary>The store and clustering settings, checked together at start: every problem, each naming its setting.</summary>
public sealed class DeploymentValidation : IValidateOptions<ControllerOptions>
{
    public ValidateOptionsResult Validate(string? name, ControllerOptions options)
    {
        var problems = StoreSelection.Problems(options).Concat(ClusterSetup.Problems(options)).ToList();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
