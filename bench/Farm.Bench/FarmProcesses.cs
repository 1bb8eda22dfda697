using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Farm.Api.Client;
using Farm.Api.V1;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;

namespace Farm.Bench;

/// <summary>
/// A controller and one agent (labels linux, 2 slots, network none) started from their Release build
/// output on free loopback ports, as tests/EndToEnd.Tests/FarmHost.cs does, but with every setting
/// that affects latency at its default (the heartbeat interval above all). Their output goes to
/// files with UTC timestamps, to line up with the measured times. Disposing kills both; so does this
/// program's exit, however it ends short of SIGKILL.
/// </summary>
public sealed partial class FarmProcesses : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    // Every child still alive, for the last-resort kill on process exit.
    private static readonly HashSet<Process> Alive = [];

    private readonly List<(Process Process, StreamWriter Log)> _children = [];

    static FarmProcesses()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();
        AppDomain.CurrentDomain.UnhandledException += (_, _) => KillAll();
    }

    private FarmProcesses(string logsDir, params int[] grpcPorts)
    {
        LogsDir = logsDir;
        Addresses = [.. grpcPorts.Select(port => $"http://127.0.0.1:{port}")];
        Address = string.Join(",", Addresses);
        Channel = ControllerChannel.Create([.. Addresses.Select(a => new Uri(a))], null);
    }

    /// <summary>Every controller's address, comma-separated (one, unless a cluster).</summary>
    public string Address { get; }

    public IReadOnlyList<string> Addresses { get; }

    public string LogsDir { get; }

    public GrpcChannel Channel { get; }

    /// <summary>Calls with the admin token the controller wrote to its data folder at its first start.</summary>
    public CallInvoker Invoker { get; private set; } = null!;

    public string ControllerLog => Path.Combine(LogsDir, "controller.log");

    public string AgentLog => Path.Combine(LogsDir, "agent.log");

    /// <summary>The controller's process id, to read its CPU time and memory from /proc.</summary>
    public int ControllerProcessId => _children[0].Process.Id;

    /// <summary>
    /// Starts the controller and, unless <paramref name="withAgent"/> is false, the agent. Without the
    /// agent the controller runs with every setting at its default, logging included (the fleet
    /// suites bring their own simulated agents).
    /// </summary>
    public static async Task<FarmProcesses> StartAsync(string root, string logsDir, CancellationToken cancellationToken, bool withAgent = true)
    {
        Directory.CreateDirectory(logsDir);
        var farm = new FarmProcesses(logsDir, FreePort());
        try
        {
            var controllerEnvironment = new Dictionary<string, string>
            {
                ["Farm__Controller__DataDir"] = Path.Combine(root, "data"),
                ["Farm__Controller__Listen"] = farm.Address,
                ["Farm__Controller__SiloPort"] = FreePort().ToString(),
                ["Farm__Controller__GatewayPort"] = FreePort().ToString(),
                ["Farm__Controller__WebhookListen"] = $"http://127.0.0.1:{FreePort()}",
            };
            if (withAgent)
            {
                // Shows when each attempt was offered, the one step between "ready" and the agent
                // that no API reports; one line per attempt.
                controllerEnvironment["Logging__LogLevel__Farm.Controller.Dispatch.DispatcherGrain"] = "Debug";
            }

            farm._controllerEnvironment = controllerEnvironment;
            farm.Start(RepoPaths.Controller, farm.ControllerLog, controllerEnvironment);
            await farm.WaitForControllerAsync(0, farm.Channel, cancellationToken);
            var adminToken = (await File.ReadAllTextAsync(Path.Combine(root, "data", "admin.token"), cancellationToken)).Trim();
            farm.Invoker = farm.Channel.Intercept(headers =>
            {
                headers.Add("authorization", "Bearer " + adminToken);
                return headers;
            });
            if (!withAgent)
            {
                return farm;
            }

            var enroll = await new Admin.AdminClient(farm.Invoker).CreateEnrollTokenAsync(
                new CreateEnrollTokenRequest { Uses = 1 }, cancellationToken: cancellationToken);
            farm.Start(RepoPaths.Agent, farm.AgentLog, new()
            {
                ["Farm__Agent__EnrollToken"] = enroll.Token,
                ["Farm__Agent__Controller"] = farm.Address,
                ["Farm__Agent__AgentId"] = "bench-agent",
                ["Farm__Agent__Labels__0"] = "linux",
                ["Farm__Agent__Slots"] = "2",
                ["Farm__Agent__WorkDir"] = Path.Combine(root, "agent"),
                ["Farm__Agent__DefaultNetwork"] = "none",
                ["Farm__Agent__AllowShell"] = "true",
            });
            return farm;
        }
        catch
        {
            await farm.DisposeAsync();
            throw;
        }
    }

    private Dictionary<string, string>? _controllerEnvironment;

    /// <summary>
    /// Kills the one controller with SIGKILL and starts it again at once on the same ports and data
    /// folder, without waiting for it to answer. Returns when the new process has been started.
    /// </summary>
    public async Task KillAndStartControllerAsync(CancellationToken cancellationToken)
    {
        var (old, log) = _children[0];
        old.Kill(entireProcessTree: true);
        await old.WaitForExitAsync(cancellationToken);
        lock (log)
        {
            log.Dispose();
        }

        old.Dispose();
        _children.RemoveAt(0);
        Start(RepoPaths.Controller, ControllerLog, _controllerEnvironment ?? throw new InvalidOperationException("No single controller was started."));
        // The controller stays the first child: ControllerProcessId and Tail read it there.
        var restarted = _children[^1];
        _children.RemoveAt(_children.Count - 1);
        _children.Insert(0, restarted);
    }

    /// <summary>
    /// Starts one more real agent, enrolled with a fresh one-use token, with <paramref name="label"/>
    /// and <paramref name="slots"/>; its output goes to <c>agent-ID.log</c>. Stopped with the rest.
    /// </summary>
    public async Task StartAgentAsync(string root, string id, string label, int slots, CancellationToken cancellationToken)
    {
        var enroll = await new Admin.AdminClient(Invoker).CreateEnrollTokenAsync(new CreateEnrollTokenRequest { Uses = 1 }, cancellationToken: cancellationToken);
        Start(RepoPaths.Agent, Path.Combine(LogsDir, $"agent-{id}.log"), new()
        {
            ["Farm__Agent__EnrollToken"] = enroll.Token,
            ["Farm__Agent__Controller"] = Address,
            ["Farm__Agent__AgentId"] = id,
            ["Farm__Agent__Labels__0"] = label,
            ["Farm__Agent__Slots"] = slots.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Farm__Agent__WorkDir"] = Path.Combine(root, id),
            ["Farm__Agent__DefaultNetwork"] = "none",
            ["Farm__Agent__AllowShell"] = "true",
        });
    }

    /// <summary>The last lines of every log, for a failure message.</summary>
    public string Tail(int lines = 30)
    {
        foreach (var (_, log) in _children)
        {
            log.Flush();
        }

        return string.Join("\n", new[] { ControllerLog, AgentLog }.Concat(Enumerable.Range(0, Addresses.Count).Select(ClusterLog))
            .Where(File.Exists)
            .Select(path => $"--- {path}\n" + string.Join("\n", ReadShared(path).TakeLast(lines))));
    }

    private static IEnumerable<string> ReadShared(string path)
    {
        using var reader = new StreamReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
        var lines = new List<string>();
        while (reader.ReadLine() is { } line)
        {
            lines.Add(line);
        }

        return lines;
    }

    private Process Start(string dll, string logPath, Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("dotnet", [dll])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        // Timestamps in UTC with milliseconds, to read the logs against Farm's and the engine's times.
        start.Environment["Logging__Console__FormatterName"] = "simple";
        start.Environment["Logging__Console__FormatterOptions__SingleLine"] = "true";
        start.Environment["Logging__Console__FormatterOptions__UseUtcTimestamp"] = "true";
        start.Environment["Logging__Console__FormatterOptions__TimestampFormat"] = "HH:mm:ss.fff ";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var log = new StreamWriter(new FileStream(logPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        var process = Process.Start(start) ?? throw new BenchException($"could not start dotnet {dll}");
        lock (Alive)
        {
            Alive.Add(process);
        }

        _children.Add((process, log));
        void Keep(object _, DataReceivedEventArgs e)
        {
            if (e.Data is not null)
            {
                lock (log)
                {
                    // A line may still arrive while the process is being killed and its log closed.
                    if (log.BaseStream.CanWrite)
                    {
                        log.WriteLine(e.Data);
                    }
                }
            }
        }

        process.OutputDataReceived += Keep;
        process.ErrorDataReceived += Keep;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private async Task WaitForControllerAsync(int index, GrpcChannel channel, CancellationToken cancellationToken)
    {
        var controller = _children[index].Process;
        var client = new Pipelines.PipelinesClient(channel);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(StartTimeout);
        while (true)
        {
            try
            {
                await client.ListPipelinesAsync(new ListPipelinesRequest(), cancellationToken: timeout.Token);
                return;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unauthenticated)
            {
                // Refused for want of a token: it is up, and has written its admin token.
                return;
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.Cancelled or StatusCode.Internal)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (controller.HasExited)
                {
                    throw new BenchException($"The controller exited with {controller.ExitCode}:\n{Tail()}");
                }

                if (timeout.IsCancellationRequested)
                {
                    throw new BenchException($"The controller did not answer at {Address} within {StartTimeout.TotalSeconds:0} s:\n{Tail()}");
                }

                await Task.Delay(100, cancellationToken);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Already gone.
        }
    }

    private static void KillAll()
    {
        lock (Alive)
        {
            foreach (var process in Alive)
            {
                Kill(process);
            }

            Alive.Clear();
        }
    }

    public async ValueTask DisposeAsync()
    {
        // The agent first, so it does not spend the controller's last moments reconnecting.
        for (var i = _children.Count - 1; i >= 0; i--)
        {
            var (process, log) = _children[i];
            Kill(process);
            await process.WaitForExitAsync();
            lock (Alive)
            {
                Alive.Remove(process);
            }

            process.Dispose();
            lock (log)
            {
                log.Dispose();
            }
        }

        _children.Clear();
        Channel.Dispose();
    }
}
