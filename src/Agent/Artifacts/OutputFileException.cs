namespace Farm.Agent.Artifacts;

/// <summary>The commands wrote a $FARM_OUTPUT file Farm cannot read; the message names the line and the problem.</summary>
public sealed class OutputFileException(string message) : Exception(message);
