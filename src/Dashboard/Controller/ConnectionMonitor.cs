using Farm.Api.V1;
using Grpc.Core;

namespace Farm.Dashboard.Controller;

/// <summary>
/// Whether the controller answers, for the banner every page shows. A call that cannot reach it
/// reports <see cref="ReportUnreachable"/>; from then on a probe (the cheap WhoAmI call) tries again
/// with growing pauses until it answers, then <see cref="Changed"/> tells the pages to load again and
/// their watch streams reconnect by themselves. One per circuit.
/// </summary>
public sealed class ConnectionMonitor(FarmSession session, TimeProvider time) : IDisposable
{
    private static readonly TimeSpan FirstPause = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan LongestPause = TimeSpan.FromSeconds(5);
    private readonly CancellationTokenSource _disposed = new();
    private int _probing;

    /// <summary>False while the controller does not answer.</summary>
    public bool Reachable { get; private set; } = true;

    /// <summary>What the last failed call said, for the banner.</summary>
    public string? LastError { get; private set; }

    /// <summary>Raised when <see cref="Reachable"/> changes.</summary>
    public event Action? Changed;

    /// <summary>Raised when a probe finds the token refused (revoked or unknown): the session is over.</summary>
    public event Action? SessionEnded;

    public void ReportUnreachable(RpcException error)
    {
        LastError = error.Status.Detail;
        if (Reachable)
        {
            Reachable = false;
            Changed?.Invoke();
        }

        if (Interlocked.Exchange(ref _probing, 1) == 0)
        {
            _ = ProbeUntilReachableAsync();
        }
    }

    public void ReportReachable()
    {
        if (!Reachable)
        {
            Reachable = true;
            LastError = null;
            Changed?.Invoke();
        }
    }

    /// <summary>True for the failures that mean "cannot reach the controller", as opposed to a refusal.</summary>
    public static bool IsUnreachable(RpcException error) => error.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Internal;

    private async Task ProbeUntilReachableAsync()
    {
        var pause = FirstPause;
        try
        {
            while (!_disposed.IsCancellationRequested)
            {
                await Task.Delay(pause, time, _disposed.Token);
                try
                {
                    var identity = new Identity.IdentityClient(await session.InvokerAsync());
                    await identity.WhoAmIAsync(new WhoAmIRequest(), deadline: time.GetUtcNow().UtcDateTime.AddSeconds(5), cancellationToken: _disposed.Token);
                    Volatile.Write(ref _probing, 0);
                    ReportReachable();
                    return;
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.Unauthenticated)
                {
                    Volatile.Write(ref _probing, 0);
                    ReportReachable();
                    SessionEnded?.Invoke();
                    return;
                }
                catch (RpcException e) when (IsUnreachable(e))
                {
                    LastError = e.Status.Detail;
                    pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, LongestPause.Ticks));
                }
            }
        }
        catch (OperationCanceledException) when (_disposed.IsCancellationRequested)
        {
            // The circuit is gone; nobody is left to tell.
        }
    }

    public void Dispose()
    {
        _disposed.Cancel();
        _disposed.Dispose();
    }
}
