using System.Globalization;

namespace Farm.Dashboard.Components.Shared;

/// <summary>Execution ids are <c>pipeline-N</c>; N grows with each start, so it orders them.</summary>
public static class ExecutionIds
{
    public static int Number(string executionId)
    {
        var dash = executionId.LastIndexOf('-');
        return dash >= 0 && int.TryParse(executionId.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? number : 0;
    }
}
