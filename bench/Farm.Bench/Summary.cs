namespace Farm.Bench;

/// <summary>Order statistics of a set of durations, in milliseconds.</summary>
public sealed record Summary(int Count, double P50, double P90, double Max, double Mean, double P99)
{
    /// <summary>Nearest-rank percentiles: every figure is one that was measured, none interpolated.</summary>
    public static Summary Of(IEnumerable<TimeSpan> durations)
    {
        var ms = durations.Select(d => d.TotalMilliseconds).Order().ToArray();
        if (ms.Length == 0)
        {
            throw new ArgumentException("No durations to summarise.", nameof(durations));
        }

        double Rank(double p) => ms[Math.Max(0, (int)Math.Ceiling(p * ms.Length) - 1)];
        return new Summary(ms.Length, Rank(0.5), Rank(0.9), ms[^1], ms.Average(), Rank(0.99));
    }
}
