using System.Diagnostics;

namespace Farm.EndToEnd.Tests;

/// <summary>Runs a program the tests need beside Farm (docker, mount, bash), and collects what it printed.</summary>
public static class Programs
{
    /// <summary>Runs <paramref name="program"/> to its end (at most 60 s); its exit code and its output and errors together.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (process.ExitCode, await output + await error);
    }
}
