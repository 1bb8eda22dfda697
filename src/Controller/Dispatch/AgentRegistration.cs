namespace Farm.Controller.Dispatch;

/// <summary>
/// An agent as it introduced itself on one connection. <see cref="Labels"/> are the labels dispatch
/// matches: the controller-side ones when the agent has any, else those it claimed. A drained agent
/// (<see cref="Draining"/>) is offered nothing. <see cref="Host"/> is what its host offers actions
/// (engine and owner's policy); null for an in-process registration that states no limits (tests).
/// <see cref="Running"/> holds only attempts that their executions confirmed as this agent's
/// (<c>IExecutionGrain.Claim</c>): the dispatcher counts them as the agent's without asking.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record AgentRegistration(
    [property: Id(0)] string AgentId,
    [property: Id(1)] Guid ConnectionId,
    [property: Id(2)] string[] Labels,
    [property: Id(3)] int Slots,
    [property: Id(4)] string[] Running,
    [property: Id(5)] bool Draining = false,
    [property: Id(6)] AgentHost? Host = null);
