using System.Collections.Concurrent;
using Cronos;
using Farm.Core.Executions;
using Farm.Core.Pipelines;

namespace Farm.Controller.Triggers;

/// <summary>
/// Polls source triggers and fires schedule triggers. One loop in the controller, not grain timers:
/// polling runs <c>git ls-remote</c> and starting resolves sources, both as slow as the remote, and
/// neither may hold a grain's turn (see <see cref="Executions.ExecutionStarter"/>); a grain timer
/// would also keep every triggered pipeline's grain active for ever. What must survive a restart
/// lives in <see cref="ITriggerGrain"/>; when each poll is next due is kept here, in memory, so
/// every source is polled once soon after a start. Polling applies branch and tag filters but not
/// path filters: ls-remote tells heads, not changed files; only webhook pushes list those.
/// </summary>
public sealed partial class TriggerService(
    ITriggerPipelines pipelines, IGrainFactory grains, TriggerLauncher launcher, ITriggerStarter starter, GitRemote remote,
    TimeProvider time, ILogger<TriggerService> logger) : IHostedLifecycleService, IAsyncDisposable
{
    /// <summary>How often the loop looks for due polls and schedules; schedules fire at most this late.</summary>
    public static readonly TimeSpan TickInterval = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, DateTimeOffset> _nextPoll = new();
    private readonly ConcurrentDictionary<string, Task> _running = new();
    private readonly CancellationTokenSource _stopping = new();
    private Task? _loop;

    /// <summary>
    /// One round: polls every source trigger whose interval has passed and fires every schedule with
    /// an occurrence since it last fired, and waits until all of them are done. Work still running
    /// from an earlier round is not started again.
    /// </summary>
    public async Task TickAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var work = new List<Task>();
        foreach (var pipeline in await pipelines.ListAsync())
        {
            foreach (var trigger in pipeline.Triggers)
            {
                if (trigger is { Source: { } source, Poll: { } interval })
                {
                    var key = $"poll\u001f{pipeline.Name}\u001f{source}";
                    if (_nextPoll.GetValueOrDefault(key) <= now)
                    {
                        _nextPoll[key] = now + interval;
                        work.Add(Run(key, () => PollTriggerAsync(pipeline, trigger, cancellationToken)));
                    }
                }
                else if (trigger.Schedule is { } schedule)
                {
                    work.Add(Run($"schedule\u001f{pipeline.Name}\u001f{ScheduleKey(trigger)}", () => FireIfDueAsync(pipeline.Name, trigger, now, cancellationToken)));
                }
            }
        }

        await Task.WhenAll(work);
    }

    /// <summary>Polls every source trigger of <paramref name="pipelineName"/> now, whatever its interval.</summary>
    public async Task PollAsync(string pipelineName, CancellationToken cancellationToken)
    {
        var pipeline = await pipelines.GetAsync(pipelineName)
            ?? throw new InvalidOperationException($"No pipeline named '{pipelineName}' has been applied.");
        foreach (var trigger in pipeline.Triggers.Where(t => t is { Source: not null, Poll: not null }))
        {
            await PollTriggerAsync(pipeline, trigger, cancellationToken);
        }
    }

    private Task Run(string key, Func<Task> work)
    {
        var started = new TaskCompletionSource();
        if (!_running.TryAdd(key, started.Task))
        {
            return Task.CompletedTask;
        }

        return RunAsync();

        async Task RunAsync()
        {
            try
            {
                await work();
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
            }
            catch (Exception e)
            {
                LogTriggerFailed(key.Replace('\u001f', ' '), e);
            }
            finally
            {
                _running.TryRemove(key, out _);
                started.SetResult();
            }
        }
    }

    private async Task PollTriggerAsync(PipelineDefinition pipeline, TriggerDefinition trigger, CancellationToken cancellationToken)
    {
        var source = trigger.Source!;
        if (TriggerRules.SourceOf(pipeline, trigger) is not { } git)
        {
            LogUnknownSource(pipeline.Name, source);
            return;
        }

        var heads = await remote.ListHeadsAsync(git.Repository, cancellationToken);
        var previous = await grains.GetGrain<ITriggerGrain>(pipeline.Name).ReplaceHeads(source, heads);
        if (previous is null)
        {
            // The first poll of a source sets the baseline: applying a pipeline starts nothing by itself.
            LogBaseline(pipeline.Name, source, heads.Count);
            return;
        }

        // Branches first, then tags, each by name, so one poll starts in a stable order.
        var changed = heads
            .Where(h => previous.GetValueOrDefault(h.Key) != h.Value && TriggerRules.RefIgnoredBecause(trigger, h.Key) is null)
            .OrderBy(h => h.Key.StartsWith(TriggerRules.TagPrefix, StringComparison.Ordinal))
            .ThenBy(h => h.Key, StringComparer.Ordinal);
        foreach (var (gitRef, commit) in changed)
        {
            var by = $"poll: {TriggerRules.Describe(gitRef)} {TriggerRules.Short(commit)}";
            var launch = await launcher.LaunchAsync(pipeline.Name, source, commit, ExecutionRun.PollTrigger, by, cancellationToken);
            if (launch.ExecutionId is { } id)
            {
                LogStarted(id, by);
            }
            else if (launch.Refusal is { } refusal)
            {
                LogRefused(pipeline.Name, by, refusal);
            }
        }
    }

    private async Task FireIfDueAsync(string pipeline, TriggerDefinition trigger, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var key = ScheduleKey(trigger);
        CronExpression cron;
        TimeZoneInfo zone;
        try
        {
            cron = CronExpression.Parse(trigger.Schedule!);
            zone = TimeZoneInfo.FindSystemTimeZoneById(trigger.TimeZone);
        }
        catch (Exception e) when (e is CronFormatException or TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            LogBadSchedule(pipeline, key, e.Message);
            return;
        }

        var grain = grains.GetGrain<ITriggerGrain>(pipeline);
        var last = await grain.LastFired(key, now);
        var next = cron.GetNextOccurrence(last, zone);
        // However many occurrences passed while the controller was down, one fire catches up.
        if (next is null || next > now || !await grain.MarkFired(key, last, now))
        {
            return;
        }

        var by = $"schedule: {trigger.Schedule} {trigger.TimeZone}";
        var outcome = await starter.StartAsync(pipeline, new Dictionary<string, string>(), ExecutionRun.ScheduleTrigger, by, cancellationToken);
        if (outcome.ExecutionId is { } id)
        {
            LogStarted(id, by);
        }
        else
        {
            LogRefused(pipeline, by, string.Join(" ", outcome.Errors));
        }
    }

    private static string ScheduleKey(TriggerDefinition trigger) => $"{trigger.Schedule} {trigger.TimeZone}";

    public Task StartedAsync(CancellationToken cancellationToken)
    {
        _loop = LoopAsync(_stopping.Token);
        return Task.CompletedTask;
    }

    private async Task LoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TickInterval, time);
        do
        {
            // Not awaited: a slow remote must not hold back the schedules of the next rounds.
            _ = TickLoggedAsync(cancellationToken);
        }
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false) && !cancellationToken.IsCancellationRequested);
    }

    private async Task TickLoggedAsync(CancellationToken cancellationToken)
    {
        try
        {
            await TickAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            LogTriggerFailed("round", e);
        }
    }

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        if (_loop is not null)
        {
            await _loop.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        }

        await Task.WhenAll(_running.Values).WaitAsync(cancellationToken).ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public ValueTask DisposeAsync()
    {
        _stopping.Dispose();
        return ValueTask.CompletedTask;
    }

    [LoggerMessage(EventId = 1500, Level = LogLevel.Information, Message = "Trigger started {ExecutionId} ({TriggeredBy})")]
    private partial void LogStarted(string executionId, string triggeredBy);

    [LoggerMessage(EventId = 1501, Level = LogLevel.Warning, Message = "Pipeline {Pipeline} refused the start for {TriggeredBy}: {Reason}")]
    private partial void LogRefused(string pipeline, string triggeredBy, string reason);

    [LoggerMessage(EventId = 1502, Level = LogLevel.Warning, Message = "Trigger {Trigger} failed")]
    private partial void LogTriggerFailed(string trigger, Exception exception);

    [LoggerMessage(EventId = 1503, Level = LogLevel.Warning, Message = "Pipeline {Pipeline} has a trigger on source '{Source}' but no git action of that name; it is not polled")]
    private partial void LogUnknownSource(string pipeline, string source);

    [LoggerMessage(EventId = 1504, Level = LogLevel.Information, Message = "First poll of {Pipeline} source {Source}: {Count} refs taken as the baseline")]
    private partial void LogBaseline(string pipeline, string source, int count);

    [LoggerMessage(EventId = 1505, Level = LogLevel.Warning, Message = "Pipeline {Pipeline} has a schedule '{Schedule}' that cannot be read: {Reason}")]
    private partial void LogBadSchedule(string pipeline, string schedule, string reason);
}
