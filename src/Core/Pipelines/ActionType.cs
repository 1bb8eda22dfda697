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

    /// <summary>Builds an image from a Dockerfile in the workspace with the agent's Docker engine, tags it and optionally pushes it.</summary>
    ImageBuild,

    /// <summary>Replaces a named, long-lived service container on each agent of an environment, one agent at a time.</summary>
    ContainerDeploy,
}

/// <summary>Where each action type runs, and how files and messages write it.</summary>
public static class ActionTypes
{
    /// <summary>Every type by the name pipeline files, the API and agents use for it.</summary>
    public static readonly IReadOnlyDictionary<string, ActionType> ByName = new Dictionary<string, ActionType>(StringComparer.Ordinal)
    {
        ["container"] = ActionType.Container,
        ["shell"] = ActionType.Shell,
        ["git"] = ActionType.Git,
        ["approval"] = ActionType.Approval,
        ["http"] = ActionType.Http,
        ["pipeline"] = ActionType.Pipeline,
        ["image-build"] = ActionType.ImageBuild,
        ["container-deploy"] = ActionType.ContainerDeploy,
    };

    /// <summary>True for types the controller carries out itself, without an agent.</summary>
    public static bool RunsInController(this ActionType type) => type is ActionType.Approval or ActionType.Pipeline;

    /// <summary>The type as pipeline files write it: <c>container</c>, <c>image-build</c>.</summary>
    public static string Name(this ActionType type) => ByName.First(entry => entry.Value == type).Key;
}
