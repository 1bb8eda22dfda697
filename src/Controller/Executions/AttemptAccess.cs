namespace Farm.Controller.Executions;

/// <summary>The execution's answer to an agent that wants to act on an attempt (see <see cref="AttemptUse"/>).</summary>
public enum AttemptAccess
{
    /// <summary>The attempt is this agent's: it was offered to it, or the agent holds it.</summary>
    Granted,

    /// <summary>
    /// No current attempt has this id: it never existed, or the action has moved on to a newer
    /// attempt, or it ended before any agent took it. Nothing is changed and nothing is audited.
    /// </summary>
    Unknown,

    /// <summary>
    /// The attempt was not offered to this agent: another agent holds it, or the controller runs the
    /// action itself (an approval, a pipeline action). Refused and written to the audit log.
    /// </summary>
    NotOffered,

    /// <summary>The agent's own attempt, but the archive it asked for is none of the attempt's inputs. Refused and audited.</summary>
    NotAnInput,
}
