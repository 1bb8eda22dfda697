namespace Farm.Core.Executions;

/// <summary>The position of an action in an execution: indexes into stages and their actions.</summary>
public readonly record struct ActionRef(int Stage, int Action);
