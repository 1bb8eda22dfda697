namespace Farm.Agent.Artifacts;

/// <summary>
/// <see cref="NoFollow"/> refused an entry an action left: the message names the entry and why, in
/// words that fit after "the output artifact …:" or "$FARM_OUTPUT …".
/// </summary>
public sealed class NoFollowException(string relativePath, NoFollowProblem kind, string message) : IOException(message)
{
    /// <summary>The entry, relative to the folder the agent made.</summary>
    public string RelativePath { get; } = relativePath;

    public NoFollowProblem Kind { get; } = kind;
}
