namespace Farm.Core.Pipelines;

/// <summary>A container action's <c>resources</c>; a null limit takes the controller's default.</summary>
/// <param name="MemoryBytes">Memory, in bytes.</param>
/// <param name="Cpus">CPUs, fractions allowed (1.5).</param>
/// <param name="Pids">Processes and threads.</param>
public sealed record ResourceLimits(long? MemoryBytes, double? Cpus, int? Pids);
