namespace Farm.Api.V1;

/// <summary>Which actions need an agent's Docker engine: one rule for the dispatcher and the agent.</summary>
public sealed partial class EngineStatus
{
    /// <summary>True for the action types (as pipeline files name them) that run through the engine.</summary>
    public static bool IsNeededBy(string actionType) => actionType is "container" or "image-build" or "container-deploy";
}
