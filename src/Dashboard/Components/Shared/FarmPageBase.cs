using Farm.Dashboard.Controller;
using Grpc.Core;
using Microsoft.AspNetCore.Components;

namespace Farm.Dashboard.Components.Shared;

/// <summary>
/// What every page does with the controller's answers: an unknown pipeline or execution shows a page
/// that says so; a refused token (expired, revoked) goes back to sign-in; an unreachable controller
/// raises the banner, and the page loads again by itself once it answers. Watch streams reconnect with
/// growing pauses; nothing polls for execution state.
/// </summary>
public abstract class FarmPageBase : ComponentBase, IDisposable
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan LongestRetry = TimeSpan.FromSeconds(5);

    /// <summary>Cancelled when the page goes away: ends its calls and watch streams.</summary>
    protected CancellationTokenSource Lifetime { get; } = new();

    [Inject] protected FarmSession Session { get; set; } = null!;

    [Inject] protected ConnectionMonitor Connection { get; set; } = null!;

    [Inject] protected NavigationManager Navigation { get; set; } = null!;

    [Inject] protected TimeProvider Time { get; set; } = null!;

    /// <summary>The signed-in user's access; set before <see cref="LoadAsync"/> runs.</summary>
    protected UserAccess User { get; private set; } = new("", "viewer");

    /// <summary>Set when the controller says what the page shows does not exist.</summary>
    protected string? NotFoundMessage { get; set; }

    /// <summary>The last refusal or failure of an action the user took, shown beside it.</summary>
    protected string? ErrorMessage { get; set; }

    /// <summary>True once the first load finished (successfully or not).</summary>
    protected bool Loaded { get; private set; }

    protected override async Task OnInitializedAsync()
    {
        User = await Session.AccessAsync();
        Connection.Changed += OnConnectionChanged;
        Connection.SessionEnded += OnSessionEnded;
        await TryAsync(LoadAsync);
        Loaded = true;
    }

    /// <summary>Reads what the page shows; called at first and again after the controller comes back.</summary>
    protected abstract Task LoadAsync();

    /// <summary>
    /// Runs a call, turning the controller's refusals into what the page shows. Returns false when it failed.
    /// </summary>
    protected async Task<bool> TryAsync(Func<Task> call)
    {
        try
        {
            await call();
            Connection.ReportReachable();
            return true;
        }
        catch (RpcException e)
        {
            Handle(e);
            return false;
        }
        catch (OperationCanceledException) when (Lifetime.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>As <see cref="TryAsync"/> for an action the user asked for: clears the previous error first.</summary>
    protected Task<bool> ActAsync(Func<Task> call)
    {
        ErrorMessage = null;
        return TryAsync(call);
    }

    /// <summary>
    /// Follows a watch stream until <paramref name="apply"/> says it is done or the page goes away;
    /// opens it again after a break, or an end that <paramref name="apply"/> did not call done, with
    /// growing pauses while the controller is unreachable.
    /// </summary>
    protected async Task WatchAsync<T>(Func<CancellationToken, IAsyncEnumerable<T>> open, Func<T, bool> apply, CancellationToken cancellation)
    {
        var pause = FirstRetry;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellation, Lifetime.Token);
        while (!linked.IsCancellationRequested)
        {
            try
            {
                await foreach (var item in open(linked.Token))
                {
                    pause = FirstRetry;
                    Connection.ReportReachable();
                    var done = apply(item);
                    await InvokeAsync(StateHasChanged);
                    if (done)
                    {
                        return;
                    }
                }

                // An endless stream (a pipeline's) that ended without an error: the controller shut
                // down cleanly or restarted; open it again after a pause like after a break.
            }
            catch (Exception e) when (linked.IsCancellationRequested && e is OperationCanceledException or RpcException)
            {
                return;
            }
            catch (RpcException e) when (ConnectionMonitor.IsUnreachable(e) || e.StatusCode == StatusCode.Cancelled)
            {
                if (ConnectionMonitor.IsUnreachable(e))
                {
                    Connection.ReportUnreachable(e);
                }

                await InvokeAsync(StateHasChanged);
            }
            catch (RpcException e)
            {
                Handle(e);
                await InvokeAsync(StateHasChanged);
                return;
            }

            try
            {
                await Task.Delay(pause, Time, linked.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, LongestRetry.Ticks));
        }
    }

    private void Handle(RpcException e)
    {
        switch (e.StatusCode)
        {
            case StatusCode.Unauthenticated:
                OnSessionEnded();
                break;
            case StatusCode.NotFound when !Loaded:
                NotFoundMessage = e.Status.Detail;
                break;
            case var _ when ConnectionMonitor.IsUnreachable(e):
                Connection.ReportUnreachable(e);
                break;
            default:
                ErrorMessage = e.Status.Detail;
                break;
        }
    }

    // Also raised by the connection probe on a pool thread, hence through the renderer's dispatcher.
    private void OnSessionEnded() => _ = InvokeAsync(() => Navigation.NavigateTo("/signin/expired", forceLoad: true));

    private void OnConnectionChanged()
    {
        if (Connection.Reachable && !Lifetime.IsCancellationRequested)
        {
            _ = InvokeAsync(async () =>
            {
                await TryAsync(LoadAsync);
                StateHasChanged();
            });
        }
    }

    public virtual void Dispose()
    {
        Connection.Changed -= OnConnectionChanged;
        Connection.SessionEnded -= OnSessionEnded;
        Lifetime.Cancel();
        Lifetime.Dispose();
        GC.SuppressFinalize(this);
    }
}
