using System.Runtime.InteropServices;

namespace Farm.Bench;

/// <summary>
/// The program's entry: reads the options, turns Ctrl-C, TERM and HUP into cancellation (so the
/// controller and agent it started are stopped on the way out), runs the benchmark, and maps failures
/// to exit codes: 0 done, 1 failed, 2 bad usage, 130 interrupted.
/// </summary>
public static class BenchCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        BenchOptions options;
        try
        {
            options = BenchOptions.Parse(args);
        }
        catch (BenchException e)
        {
            Console.Error.WriteLine($"farm-bench: {e.Message}");
            Console.Error.WriteLine(BenchOptions.Usage);
            return 2;
        }

        if (options.Help)
        {
            Console.WriteLine(BenchOptions.Usage);
            return 0;
        }

        using var cancel = new CancellationTokenSource();
        void Stop(PosixSignalContext context)
        {
            // Not the default (immediate exit): the finally blocks must still stop the child processes.
            context.Cancel = true;
            cancel.Cancel();
        }

        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var hangUp = PosixSignalRegistration.Create(PosixSignal.SIGHUP, Stop);
        try
        {
            await Benchmark.RunAsync(options, cancel.Token);
            return 0;
        }
        catch (Exception) when (cancel.IsCancellationRequested)
        {
            // Whatever the cancelled call threw (gRPC reports it as an RpcException, not a cancellation).
            Console.Error.WriteLine("farm-bench: interrupted; the controller and agent were stopped.");
            return 130;
        }
        catch (BenchException e)
        {
            Console.Error.WriteLine($"farm-bench: {e.Message}");
            return 1;
        }
    }
}
