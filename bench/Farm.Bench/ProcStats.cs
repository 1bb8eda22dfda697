using System.Diagnostics;
using System.Globalization;

namespace Farm.Bench;

/// <summary>One reading of a process's CPU time and memory from /proc (Linux only).</summary>
/// <param name="At">When it was read (monotonic).</param>
/// <param name="Cpu">utime + stime of /proc/&lt;pid&gt;/stat: user and kernel time of all its threads so far.</param>
/// <param name="RssKiB">VmRSS of /proc/&lt;pid&gt;/status: resident memory now.</param>
/// <param name="PeakKiB">VmHWM of /proc/&lt;pid&gt;/status: the peak resident memory since start, or since <see cref="TryResetPeak"/>.</param>
public readonly record struct ProcStats(long At, TimeSpan Cpu, long RssKiB, long PeakKiB)
{
    /// <summary>Clock ticks per second of /proc/&lt;pid&gt;/stat (USER_HZ, from <c>getconf CLK_TCK</c>; 100 when that fails).</summary>
    private static readonly Lazy<int> TicksPerSecond = new(ReadTicksPerSecond);

    public static ProcStats Read(int pid)
    {
        var at = Stopwatch.GetTimestamp();
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        // The command name, in parentheses, may hold spaces; the fields after it are space-separated
        // from field 3 (state) on, so utime (field 14) and stime (15) are at 11 and 12.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        var status = File.ReadAllLines($"/proc/{pid}/status");
        return new ProcStats(at, TimeSpan.FromSeconds((double)ticks / TicksPerSecond.Value), Kib(status, "VmRSS"), Kib(status, "VmHWM"));
    }

    /// <summary>
    /// Resets the process's VmHWM to its current RSS (writes 5 to /proc/&lt;pid&gt;/clear_refs, allowed
    /// for one's own processes), so a later VmHWM is the peak of what came after. False when the kernel refused.
    /// </summary>
    public static bool TryResetPeak(int pid)
    {
        try
        {
            File.WriteAllText($"/proc/{pid}/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>CPU time between two readings as a percentage of one core over the wall time between them.</summary>
    public static double CpuPercent(ProcStats from, ProcStats to) =>
        100 * (to.Cpu - from.Cpu).TotalSeconds / Stopwatch.GetElapsedTime(from.At, to.At).TotalSeconds;

    public static string MiB(long kib) => (kib / 1024.0).ToString("0", CultureInfo.InvariantCulture);

    private static long Kib(string[] status, string name)
    {
        var line = status.FirstOrDefault(l => l.StartsWith(name + ":", StringComparison.Ordinal))
            ?? throw new BenchException($"/proc status has no {name} line.");
        return long.Parse(line[(name.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
    }

    private static int ReadTicksPerSecond()
    {
        try
        {
            using var getconf = Process.Start(new ProcessStartInfo("getconf", ["CLK_TCK"]) { RedirectStandardOutput = true });
            var text = getconf?.StandardOutput.ReadToEnd().Trim();
            getconf?.WaitForExit();
            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var hz) && hz > 0 ? hz : 100;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return 100;
        }
    }
}
