namespace Farm.Agent.Artifacts;

/// <summary>Why <see cref="NoFollow"/> refused an entry.</summary>
public enum NoFollowProblem
{
    /// <summary>The entry, or a folder on its way, is a symbolic link.</summary>
    Link,

    /// <summary>The entry is not what was asked for: a FIFO, a device or a folder where a file was expected, a file where a folder was.</summary>
    WrongKind,

    /// <summary>The path itself is refused: absolute, climbing with '..', or empty.</summary>
    InvalidPath,
}
