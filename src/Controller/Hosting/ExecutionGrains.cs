using Farm.Controller.Executions;
using Orleans.Metadata;

namespace Farm.Controller.Hosting;

/// <summary>
/// References to execution grains for the agent protocol, which makes several for every action.
/// Orleans' <c>GetGrain</c> looks the interface's grain type up through reflection on every call
/// (6 % of the controller's CPU in the throughput benchmark); this looks it up once.
/// </summary>
public sealed class ExecutionGrains(IGrainFactory grains, GrainInterfaceTypeResolver interfaceTypes, GrainInterfaceTypeToGrainTypeResolver grainTypes)
{
    private readonly GrainInterfaceType _interfaceType = interfaceTypes.GetGrainInterfaceType(typeof(IExecutionGrain));

    // Resolved on first use, from whichever thread comes first: the cluster manifest that maps it
    // may not be complete while services are being made. PublicationOnly: a lookup that fails is
    // tried again by the next call, not remembered as the answer for the process's life.
    private readonly Lazy<GrainType> _grainType = new(
        () => grainTypes.GetGrainType(interfaceTypes.GetGrainInterfaceType(typeof(IExecutionGrain))), LazyThreadSafetyMode.PublicationOnly);

    public IExecutionGrain Get(string executionId) =>
        (IExecutionGrain)grains.GetGrain(GrainId.Create(_grainType.Value, executionId), _interfaceType);
}
