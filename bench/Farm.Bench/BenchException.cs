namespace Farm.Bench;

/// <summary>A failure the harness can explain in a sentence: printed without a stack trace.</summary>
public sealed class BenchException(string message) : Exception(message);
