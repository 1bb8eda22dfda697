using System.Globalization;
using System.Text;

namespace Farm.Bench;

/// <summary>The results as markdown: the same text goes to stdout and into docs/benchmarks.md.</summary>
public sealed class Report(
    DateTimeOffset date, string command, int stages, int block, string revision, MachineInfo machine, string load,
    IReadOnlyList<ActionSample> farm, IReadOnlyList<BareSample> bare)
{
    public string ToMarkdown()
    {
        // An execution's first action waits for nothing but the execution's own start; it runs cold
        // paths (a new execution grain, the first offer), so it is reported apart from the steady state.
        var firsts = farm.Where(s => s.Stage == 0).ToList();
        var steady = farm.Where(s => s.Stage > 0).ToList();
        var farmHeadline = Summary.Of(steady.Select(s => s.ReadyToStarted));
        var bareHeadline = Summary.Of(bare.Select(s => s.DecidedToStarted));

        var md = new StringBuilder();
        md.AppendLine($"### Run of {date.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC");
        md.AppendLine();
        md.AppendLine($"- Command: `{command}`");
        md.AppendLine($"- Farm: {revision}, Release build");
        md.AppendLine($"- N = {stages}: {firsts.Count} executions of pipelines of one-action stages, {block} stages at most, " +
            $"alternating with blocks of as many bare runs ({bare.Count}); {steady.Count} Farm actions measured, each execution's first reported apart");
        md.AppendLine($"- Machine: {machine.Description}");
        md.AppendLine($"- {machine.Engine}");
        md.AppendLine($"- Load average (1 min): {load}");
        md.AppendLine();
        md.AppendLine("Decision to run → the engine's `start` event, in milliseconds:");
        md.AppendLine();
        Header(md);
        Row(md, "Farm: action ready → container started", farmHeadline);
        Row(md, "Bare Docker.DotNet: create call → container started", bareHeadline);
        md.AppendLine($"| Overhead (Farm − bare) | | {Diff(farmHeadline.P50, bareHeadline.P50)} | {Diff(farmHeadline.P90, bareHeadline.P90)} " +
            $"| {Diff(farmHeadline.P99, bareHeadline.P99)} | {Diff(farmHeadline.Max, bareHeadline.Max)} | {Diff(farmHeadline.Mean, bareHeadline.Mean)} |");
        md.AppendLine($"| Ratio (Farm ÷ bare) | | {Ratio(farmHeadline.P50, bareHeadline.P50)} | {Ratio(farmHeadline.P90, bareHeadline.P90)} " +
            $"| {Ratio(farmHeadline.P99, bareHeadline.P99)} | {Ratio(farmHeadline.Max, bareHeadline.Max)} | {Ratio(farmHeadline.Mean, bareHeadline.Mean)} |");
        md.AppendLine();
        md.AppendLine("Each execution's first action (execution started → its container started) took " +
            string.Join(", ", firsts.Select(f => Ms(f.ReadyToStarted.TotalMilliseconds))) + " ms.");
        md.AppendLine("Overhead and ratio compare the statistics (p50 with p50, and so on), not paired runs.");
        md.AppendLine();
        md.AppendLine("Where the time goes, in milliseconds (Farm rows: the same actions as above):");
        md.AppendLine();
        Header(md);
        Row(md, "Farm: ready → controller records the agent's acceptance (action StartedAt)", Summary.Of(steady.Select(s => s.ReadyToClaimed)));
        Row(md, "Farm: ready → engine `create` event", Summary.Of(steady.Select(s => s.ReadyToCreated)));
        Row(md, "Bare: create call → engine `create` event", Summary.Of(bare.Select(s => s.DecidedToCreated)));
        Row(md, "Farm: `create` → `start` event (agent attaches, then starts)", Summary.Of(steady.Select(s => s.CreatedToStarted)));
        Row(md, "Bare: `create` → `start` event", Summary.Of(bare.Select(s => s.CreatedToStarted)));
        Row(md, "Farm: previous container's `die` → action ready (result reported and stored)", Summary.Of(steady.Select(s => s.PreviousDiedToReady!.Value)));
        Row(md, "Farm: previous container's `die` → next container's `start`", Summary.Of(steady.Select(s => s.PreviousDiedToStarted!.Value)));
        Row(md, "Farm: stage wall time (FinishedAt → next FinishedAt)", Summary.Of(steady.Select(s => s.StageWall)));
        Row(md, "Bare: whole cycle (create call → remove returned)", Summary.Of(bare.Select(s => s.Cycle)));
        return md.ToString();
    }

    /// <summary>Every sample, one line each, for a closer look than the summary gives.</summary>
    public string ToCsv()
    {
        static string Opt(TimeSpan? value) => value is { } v ? Ms(v.TotalMilliseconds) : "";
        var csv = new StringBuilder("kind,index,id,ready_utc,ready_to_started_ms,ready_to_created_ms,created_to_started_ms,ready_to_claimed_ms,prev_die_to_ready_ms,wall_ms\n");
        foreach (var s in farm)
        {
            csv.AppendLine($"farm,{s.Stage},{s.AttemptId},{Utc(s.Ready)},{Ms(s.ReadyToStarted.TotalMilliseconds)},{Ms(s.ReadyToCreated.TotalMilliseconds)}," +
                $"{Ms(s.CreatedToStarted.TotalMilliseconds)},{Ms(s.ReadyToClaimed.TotalMilliseconds)},{Opt(s.PreviousDiedToReady)},{Ms(s.StageWall.TotalMilliseconds)}");
        }

        for (var i = 0; i < bare.Count; i++)
        {
            var s = bare[i];
            csv.AppendLine($"bare,{i},{s.Container.Id[..12]},{Utc(s.Decided)},{Ms(s.DecidedToStarted.TotalMilliseconds)},{Ms(s.DecidedToCreated.TotalMilliseconds)}," +
                $"{Ms(s.CreatedToStarted.TotalMilliseconds)},,,{Ms(s.Cycle.TotalMilliseconds)}");
        }

        return csv.ToString();
    }

    private static void Header(StringBuilder md)
    {
        md.AppendLine("| | n | p50 | p90 | p99 | max | mean |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
    }

    private static void Row(StringBuilder md, string name, Summary s) =>
        md.AppendLine($"| {name} | {s.Count} | {Ms(s.P50)} | {Ms(s.P90)} | {Ms(s.P99)} | {Ms(s.Max)} | {Ms(s.Mean)} |");

    private static string Utc(DateTimeOffset at) => at.UtcDateTime.ToString("HH:mm:ss.ffffff", CultureInfo.InvariantCulture);

    private static string Ms(double ms) => ms.ToString("0.0", CultureInfo.InvariantCulture);

    private static string Diff(double farm, double bare) => (farm - bare).ToString("+0.0;−0.0;0.0", CultureInfo.InvariantCulture);

    private static string Ratio(double farm, double bare) => "×" + (farm / bare).ToString("0.00", CultureInfo.InvariantCulture);
}
