namespace Farm.Controller.Triggers;

/// <summary>The answer to a claim: claimed, or already started (by <see cref="ExecutionId"/>, when it is known).</summary>
[GenerateSerializer, Immutable]
public sealed record ClaimOutcome([property: Id(0)] bool Claimed, [property: Id(1)] string? ExecutionId);
