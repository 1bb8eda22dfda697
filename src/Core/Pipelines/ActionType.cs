namespace Farm.Core.Pipelines;

/// <summary>What runs an action on the agent.</summary>
public enum ActionType
{
    /// <summary>Commands run with <c>sh -c</c> inside a container of <see cref="ActionDefinition.Image"/>.</summary>
    Container,

    /// <summary>Commands run with <c>sh -c</c> directly on the agent's host.</summary>
    Shell,
}
