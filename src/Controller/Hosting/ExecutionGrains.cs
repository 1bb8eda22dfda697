using Farm.Controller.Executions;
using Orleans.Metadata;

namespace Farm.Controller.Hosting;

/// <summary>
/// References to execution grains for the agent protocol, which makes several for every action.
/// Orleans' <c>GetGrain</c> looks the interface's grain type up through reflection on every call
/// (6 % of the controller's CPU in the throughput benchmark); this looks it up once.
/// </summary>
public sealed class ExecutionGrains
{
    private readonly IGrainFactory _grains;
    private readonly GrainInterfaceType _interfaceType;

    // Resolved on first use, from whichever thread comes first: the cluster manifest that maps it
    // may not be complete while services are being made. PublicationOnly: a lookup that fails is
    // tried again by the next call, not remembered as the answer for the process's life.
    private readonly Lazy<GrainType> _grainType;

    public ExecutionGrains(IGrainFactory grains, GrainInterfaceTypeResolver interfaceTypes, GrainInterfaceTypeToGrainTypeResolver grainTypes)
    {
        _grains = grains;
        _interfaceType = interfaceTypes.GetGrainInterfaceType(typeof(IExecutionGrain));
        _grainType = new(() => grainTypes.GetGrainType(_interfaceType), LazyThreadSafetyMode.PublicationOnly);
    }

    public IExecutionGrain Get(string executionId) =>
        (IExecutionGrain)_grains.GetGrain(GrainId.Create(_grainType.Value, executionId), _interfaceType);
}
