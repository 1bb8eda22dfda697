using System.Diagnostics.Metrics;

namespace Farm.Controller.Telemetry;

/// <summary>
/// The controller's metrics, on the meter <see cref="MeterName"/>, scraped at <c>/metrics</c>
/// (Prometheus names in brackets): queue depth [farm_queue_depth], running actions
/// [farm_actions_running] and agents online [farm_agents_online], reported by the silo that hosts
/// the dispatcher (the others report none, so a sum over controllers is the cluster's); the time
/// from queueing to offering [farm_dispatch_latency_seconds]; execution and action durations by
/// result [farm_execution_duration_seconds, farm_action_duration_seconds]. Thread-safe: grains
/// write, the exporter reads.
/// </summary>
public sealed class FarmMetrics
{
    public const string MeterName = "Farm.Controller";

    private readonly Histogram<double> _dispatchLatency;
    private readonly Histogram<double> _executionDuration;
    private readonly Histogram<double> _actionDuration;
    private volatile DispatcherGauges? _dispatcher;

    public FarmMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        meter.CreateObservableGauge("farm.queue.depth", () => Gauge(d => d.Queued), "{attempt}", "Attempts waiting for an agent.");
        meter.CreateObservableGauge("farm.actions.running", () => Gauge(d => d.Running), "{action}", "Attempts held by agents.");
        meter.CreateObservableGauge("farm.agents.online", () => Gauge(d => d.Agents), "{agent}", "Agents with a session open.");
        // Buckets in seconds: OpenTelemetry's defaults are made for milliseconds.
        _dispatchLatency = meter.CreateHistogram("farm.dispatch.latency", "s", "From queueing an attempt to offering it to an agent.",
            advice: Buckets(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300));
        _executionDuration = meter.CreateHistogram("farm.execution.duration", "s", "From start to end of an execution, by result.",
            advice: Buckets(1, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 14400, 43200));
        _actionDuration = meter.CreateHistogram("farm.action.duration", "s", "From start to end of an action's attempt on an agent, by result.",
            advice: Buckets(0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200));
    }

    /// <summary>What the dispatcher on this silo holds now; null when it is gone from this silo.</summary>
    public void Dispatcher(DispatcherGauges? gauges) => _dispatcher = gauges;

    public void Dispatched(TimeSpan waited) => _dispatchLatency.Record(Math.Max(0, waited.TotalSeconds));

    public void ExecutionFinished(TimeSpan took, string result) =>
        _executionDuration.Record(Math.Max(0, took.TotalSeconds), new KeyValuePair<string, object?>("result", result));

    public void ActionFinished(TimeSpan took, string result) =>
        _actionDuration.Record(Math.Max(0, took.TotalSeconds), new KeyValuePair<string, object?>("result", result));

    private static InstrumentAdvice<double> Buckets(params double[] boundaries) => new() { HistogramBucketBoundaries = boundaries };

    private IEnumerable<Measurement<int>> Gauge(Func<DispatcherGauges, int> read) =>
        _dispatcher is { } gauges ? [new Measurement<int>(read(gauges))] : [];
}

/// <summary>The dispatcher's counts at one moment.</summary>
public sealed record DispatcherGauges(int Queued, int Running, int Agents);
