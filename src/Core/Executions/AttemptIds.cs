namespace Farm.Core.Executions;

/// <summary>
/// Attempt ids are <c>{executionId}.{n}</c>, n counting attempts within the execution from 1.
/// Execution ids never end in <c>.{digits}</c>, so the last dot always splits them back, which lets
/// any silo route an agent's message to the execution without a lookup table.
/// </summary>
public static class AttemptIds
{
    public static string Create(string executionId, int number) => $"{executionId}.{number}";

    /// <summary>The execution an attempt belongs to, or null when the id is not of this form.</summary>
    public static string? ExecutionOf(string attemptId)
    {
        var dot = attemptId.LastIndexOf('.');
        if (dot <= 0 || dot == attemptId.Length - 1)
        {
            return null;
        }

        return attemptId.AsSpan(dot + 1).IndexOfAnyExceptInRange('0', '9') < 0 ? attemptId[..dot] : null;
    }
}
