using System.Collections.Concurrent;
using System.Diagnostics;

namespace Farm.Tests.Shared;

/// <summary>Records every span of one activity source that ends while it is alive, sampling them all.</summary>
public sealed class SpanRecorder : IDisposable
{
    private readonly ConcurrentBag<Activity> _spans = [];
    private readonly ActivityListener _listener;

    public SpanRecorder(string sourceName)
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == sourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _spans.Add,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public IReadOnlyCollection<Activity> Spans => _spans;

    public void Dispose() => _listener.Dispose();
}
