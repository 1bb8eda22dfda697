namespace Farm.Tests.Shared;

/// <summary>
/// Waits for state outside the test's reach that sends no signal (a process's output, a socket,
/// another service's listing): looks again every <see cref="Interval"/> until it holds, and fails
/// with what was last seen once <c>within</c> has passed. Where a signal exists (a watch stream, a
/// channel), tests await that instead.
/// </summary>
public static class Eventually
{
    /// <summary>How often to look again: short against every deadline used, long against a look's cost.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    public static async Task Until(Func<CancellationToken, Task<bool>> holds, TimeSpan within, Func<string> lastSeen)
    {
        using var deadline = new CancellationTokenSource(within);
        while (true)
        {
            try
            {
                if (await holds(deadline.Token))
                {
                    return;
                }

                await Task.Delay(Interval, deadline.Token);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested)
            {
                throw new TimeoutException($"Not so within {within.TotalSeconds:0.#} s; last seen: {lastSeen()}");
            }
        }
    }
}
