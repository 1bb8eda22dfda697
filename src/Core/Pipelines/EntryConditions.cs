namespace Farm.Core.Pipelines;

/// <summary>What happens when a stage's <c>beforeEntry</c> rules do not all hold.</summary>
public enum EntryResult
{
    /// <summary>The stage fails, and with it the execution. The default.</summary>
    Fail,

    /// <summary>The stage is skipped and the execution goes on with the next.</summary>
    Skip,
}

/// <summary>How a rule compares its resolved <see cref="EntryRule.Variable"/> text with its value.</summary>
public enum RuleOperator
{
    /// <summary><c>equals</c>: equal, case-sensitive. The default.</summary>
    Equal,

    /// <summary><c>notEquals</c>: not equal, case-sensitive.</summary>
    NotEqual,

    /// <summary><c>contains</c>: holds the value as a substring, case-sensitive.</summary>
    Contains,

    /// <summary><c>matches</c>: matches the value as a .NET regular expression (anywhere in the text unless anchored).</summary>
    Matches,
}

/// <summary>One rule: <see cref="Variable"/> is text with <c>#{...}</c> references, resolved when the stage is entered.</summary>
public sealed record EntryRule(string Variable, RuleOperator Operator, string Value);

/// <summary>A stage's <c>beforeEntry</c>: every rule must hold for the stage to run.</summary>
public sealed record EntryConditions(EntryResult Result, IReadOnlyList<EntryRule> Rules);
