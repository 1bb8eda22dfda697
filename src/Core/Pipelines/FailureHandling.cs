namespace Farm.Core.Pipelines;

/// <summary>What a stage does when one of its actions fails (its <c>onFailure</c>).</summary>
public enum FailureResult
{
    /// <summary>The stage and the execution fail. The default.</summary>
    Fail,

    /// <summary>The stage's failed actions run again, up to <see cref="FailureHandling.Retries"/> times, before it fails.</summary>
    Retry,

    /// <summary>The stage fails, and a rollback of it to the latest execution in which it succeeded starts.</summary>
    Rollback,
}

/// <summary>A stage's <c>onFailure</c>.</summary>
/// <param name="Result">What happens.</param>
/// <param name="Retries">For <see cref="FailureResult.Retry"/>: how many times, 1 to 10; 0 otherwise.</param>
public sealed record FailureHandling(FailureResult Result, int Retries)
{
    public static readonly FailureHandling Fail = new(FailureResult.Fail, 0);
}
