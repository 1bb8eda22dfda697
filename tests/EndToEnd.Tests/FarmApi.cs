using System.Text;
using Farm.Api.V1;
using Grpc.Core;

namespace Farm.EndToEnd.Tests;

/// <summary>Small helpers over the public API, as a tool author would write them.</summary>
public static class FarmApi
{
    public static async Task<string> ApplyAndStartAsync(this FarmHost farm, string yaml, Dictionary<string, string>? variables = null)
    {
        var applied = await farm.Pipelines.ApplyPipelineAsync(new ApplyPipelineRequest { Definition = yaml });
        var request = new StartExecutionRequest { Pipeline = applied.Name };
        request.Variables.Add(variables ?? []);
        return (await farm.Executions.StartExecutionAsync(request)).ExecutionId;
    }

    /// <summary>Follows the execution until <paramref name="until"/> holds (default: it finished); fails after 90 s.</summary>
    public static async Task<Execution> WatchAsync(this FarmHost farm, string executionId, Func<Execution, bool>? until = null)
    {
        until ??= e => e.Status is ExecutionStatus.Succeeded or ExecutionStatus.Failed or ExecutionStatus.Stopped or ExecutionStatus.Superseded;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        Execution? last = null;
        while (true)
        {
            try
            {
                using var call = farm.Executions.WatchExecution(new WatchExecutionRequest { ExecutionId = executionId }, cancellationToken: timeout.Token);
                await foreach (var state in call.ResponseStream.ReadAllAsync(timeout.Token))
                {
                    last = state;
                    if (until(state))
                    {
                        return state;
                    }
                }
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable && !timeout.IsCancellationRequested)
            {
                // The controller is restarting: watch again once it may answer.
                await Task.Delay(Eventually.Interval, timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Execution {executionId} did not get there in 90 s; last state: {last}\n{farm.ControllerOutput()}");
            }
        }
    }

    public static async Task<string> ReadLogAsync(this FarmHost farm, string executionId, string stage, string action)
    {
        using var call = farm.Executions.ReadLog(new ReadLogRequest { ExecutionId = executionId, Stage = stage, Action = action });
        var bytes = new MemoryStream();
        await foreach (var chunk in call.ResponseStream.ReadAllAsync())
        {
            Assert.Equal(bytes.Length, chunk.Offset);
            chunk.Data.WriteTo(bytes);
        }

        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    public static ActionExecution Action(this Execution execution, string stage, string action) =>
        execution.Stages.Single(s => s.Name == stage).Actions.Single(a => a.Name == action);

    /// <summary>Runs the built farm CLI with <paramref name="input"/> on its standard input.</summary>
    public static Task<(int ExitCode, string Stdout, string Stderr)> RunCliWithInputAsync(this FarmHost farm, string[] args, string input) =>
        farm.RunCliAsync(args, input, []);

    /// <summary>Runs the built farm CLI against this farm, with extra environment variables, and collects what it printed.</summary>
    public static Task<(int ExitCode, string Stdout, string Stderr)> RunCliAsync(
        this FarmHost farm, string[] args, params (string Name, string Value)[] environment) =>
        farm.RunCliAsync(args, null, environment);

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunCliAsync(
        this FarmHost farm, string[] args, string? input, (string Name, string Value)[] environment)
    {
        var start = new System.Diagnostics.ProcessStartInfo("dotnet", [FarmHost.Locate("Cli", "farm.dll"), .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = input is not null,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        start.Environment["FARM_CONTROLLER"] = farm.Address;
        start.Environment["FARM_TOKEN"] = farm.AdminToken;
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
            process.StandardInput.Close();
        }

        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120));
        return (process.ExitCode, await stdout, await stderr);
    }
}
