using System.Collections.Concurrent;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Farm.Bench;

/// <summary>
/// Follows the engine's container events and keeps, per container, the engine's own create, start and
/// die times. Farm's timestamps and the harness's are read from the same host clock (CLOCK_REALTIME)
/// as the engine's, so both figures end at the same, engine-defined instant: the engine has started the
/// container's process, whoever asked for it.
/// </summary>
public sealed class EngineEvents : IProgress<Message>, IAsyncDisposable
{
    public const string AttemptLabel = "farm.attempt";

    private readonly ConcurrentDictionary<string, ContainerTimes> _containers = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private TaskCompletionSource _changed = NewSignal();
    private Task _listening = Task.CompletedTask;

    /// <summary>
    /// Subscribes from <paramref name="since"/> (whole seconds, rounded down): the engine replays its
    /// recent events from there, so no event is missed while the stream is being opened.
    /// </summary>
    public static EngineEvents Start(DockerClient docker, DateTimeOffset since)
    {
        var events = new EngineEvents();
        var parameters = new ContainerEventsParameters
        {
            Since = since.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
            Filters = new Dictionary<string, IDictionary<string, bool>>
            {
                ["type"] = new Dictionary<string, bool> { ["container"] = true },
                ["event"] = new Dictionary<string, bool> { ["create"] = true, ["start"] = true, ["die"] = true },
            },
        };
        events._listening = docker.System.MonitorEventsAsync(parameters, events, events._stop.Token);
        return events;
    }

    public ContainerTimes? ById(string containerId) => _containers.GetValueOrDefault(containerId);

    public ContainerTimes? ByAttempt(string attemptId) => _containers.Values.FirstOrDefault(c => c.Attempt == attemptId);

    /// <summary>Waits until <paramref name="find"/> returns a container with all three events.</summary>
    public async Task<ContainerTimes> WaitForAsync(Func<EngineEvents, ContainerTimes?> find, string what, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        while (true)
        {
            var changed = Volatile.Read(ref _changed).Task;
            if (find(this) is { IsComplete: true } times)
            {
                return times;
            }

            if (_listening.IsCompleted)
            {
                await _listening;
                throw new BenchException("The engine's event stream ended early.");
            }

            try
            {
                await Task.WhenAny(changed, _listening).WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new BenchException($"The engine reported no create, start and die events for {what} within {timeout.TotalSeconds:0} s.");
            }
        }
    }

    /// <summary>Called by Docker.DotNet on its reading loop, one event at a time.</summary>
    void IProgress<Message>.Report(Message value)
    {
        if (value.Type != "container" || value.Actor?.ID is not { Length: > 0 } id)
        {
            return;
        }

        var at = DateTimeOffset.UnixEpoch.AddTicks((value.TimeNano ?? 0) / 100);
        string? attempt = null;
        value.Actor.Attributes?.TryGetValue(AttemptLabel, out attempt);
        _containers.AddOrUpdate(id,
            _ => Apply(new ContainerTimes(id, attempt), value.Action, at),
            (_, times) => Apply(times with { Attempt = times.Attempt ?? attempt }, value.Action, at));
        Interlocked.Exchange(ref _changed, NewSignal()).TrySetResult();
    }

    private static ContainerTimes Apply(ContainerTimes times, string action, DateTimeOffset at) => action switch
    {
        "create" => times with { Created = at },
        "start" => times with { Started = at },
        "die" => times with { Died = at },
        _ => times,
    };

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _listening;
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or HttpRequestException)
        {
            // The subscription ends by cancellation; how Docker.DotNet reports that varies.
        }

        _stop.Dispose();
    }
}
