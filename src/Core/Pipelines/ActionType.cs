namespace Farm.Core.Pipelines;

/// <summary>What an action does, and where it runs: on an agent, or in the controller itself.</summary>
public enum ActionType
{
    /// <summary>Commands run with <c>sh -c</c> inside a container of <see cref="ActionDefinition.Image"/>, on an agent.</summary>
    Container,

    /// <summary>Commands run with <c>sh -c</c> directly on an agent's host.</summary>
    Shell,

    /// <summary>A Git source, fetched on an agent at the revision the execution pinned; its tree becomes an output artifact.</summary>
    Git,

    /// <summary>A manual approval: the execution waits, in the controller, until a person approves or rejects it.</summary>
    Approval,

    /// <summary>An HTTP request from an agent; the response can set output variables.</summary>
    Http,

    /// <summary>Starts another pipeline, from the controller, and optionally waits for it.</summary>
    Pipeline,
}

/// <summary>Where each action type runs.</summary>
public static class ActionTypes
{
    /// <summary>True for types the controller carries out itself, without an agent.</summary>
    public static bool RunsInController(this ActionType type) => type is ActionType.Approval or ActionType.Pipeline;
}
