using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Farm.Api.V1;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;

namespace Farm.EndToEnd.Tests;

/// <summary>
/// A controller and two agents (labels linux plus first or second, 2 slots each) started as processes from their build
/// output, on free loopback ports and a fresh data folder, against the Docker engine named by
/// DOCKER_HOST. Every call goes with the admin token the controller wrote to its data folder at its
/// first start; the agents enroll with an enrollment token made through the Admin API.
/// <see cref="RestartControllerAsync"/> kills the controller outright and starts it again on the
/// same folder and ports, as a crash and a restart would. Made with <see cref="TestCertificates"/>
/// (see <c>TlsFarmHost</c>), the controller serves TLS with them and every client trusts their CA.
/// </summary>
public class FarmHost : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly List<string> _controllerOutput = [];
    private readonly List<Process> _agents = [];
    private readonly Dictionary<string, List<string>> _defaultAgentOutput = new() { ["e2e-agent"] = [], ["e2e-agent-2"] = [] };
    private Process? _controller;
    private int _grpcPort;
    private int _siloPort;
    private int _gatewayPort;
    private int _webhookPort;

    public FarmHost()
        : this(tls: null)
    {
    }

    protected FarmHost(TestCertificates? tls) => Tls = tls;

    /// <summary>The certificate the controller serves and the CA its clients trust; null for plain HTTP/2 on loopback.</summary>
    public TestCertificates? Tls { get; }

    public string Root { get; } = Directory.CreateTempSubdirectory("farm-e2e-").FullName;

    public string Address => $"{(Tls is null ? "http" : "https")}://127.0.0.1:{_grpcPort}";

    /// <summary>Where the controller takes Git hosts' webhook pushes.</summary>
    public string WebhookAddress => $"http://127.0.0.1:{_webhookPort}";

    /// <summary>Receives the controller's notifications, and answers http actions.</summary>
    public NotificationSink Sink { get; private set; } = null!;

    /// <summary>The channel without any token: for health, reflection and refused calls.</summary>
    public GrpcChannel Channel { get; private set; } = null!;

    /// <summary>The controller's first admin token, read from <c>admin.token</c> in its data folder.</summary>
    public string AdminToken { get; private set; } = null!;

    /// <summary>Calls with the admin token.</summary>
    public CallInvoker Invoker { get; private set; } = null!;

    public Api.V1.Pipelines.PipelinesClient Pipelines => new(Invoker);

    public Executions.ExecutionsClient Executions => new(Invoker);

    public Admin.AdminClient Admin => new(Invoker);

    /// <summary>The channel's calls with <paramref name="token"/> as bearer token (an API token, an agent credential, an enrollment token).</summary>
    public CallInvoker With(string token) => Channel.Intercept(headers =>
    {
        headers.Add("authorization", "Bearer " + token);
        return headers;
    });

    /// <summary>The image every container action of the tests uses; made locally by ./test.sh.</summary>
    public static string Image => Environment.GetEnvironmentVariable("FARM_TEST_IMAGE") is { Length: > 0 } image ? image : "farm/busybox:latest";

    public async Task InitializeAsync()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DOCKER_HOST")))
        {
            throw new InvalidOperationException(
                "These tests need a Docker engine: run ./test.sh, which starts one, or set DOCKER_HOST to a running engine " +
                "that has the image farm/busybox:latest (see scripts/lib.sh, farm_make_images).");
        }

        (_grpcPort, _siloPort, _gatewayPort, _webhookPort) = (FreePort(), FreePort(), FreePort(), FreePort());
        Sink = new NotificationSink(FreePort());
        Channel = Tls is null ? GrpcChannel.ForAddress(Address) : GrpcChannel.ForAddress(Address, new GrpcChannelOptions { HttpHandler = Tls.TrustingHandler() });
        await StartControllerAsync();
        var tokenFile = Path.Combine(Root, "data", "admin.token");
        AdminToken = File.Exists(tokenFile)
            ? (await File.ReadAllTextAsync(tokenFile)).Trim()
            : throw new InvalidOperationException($"The controller wrote no {tokenFile}:\n{ControllerOutput()}");
        Invoker = With(AdminToken);
        var enroll = await Admin.CreateEnrollTokenAsync(new CreateEnrollTokenRequest { Uses = 2, ExpiresInSeconds = 600 });
        StartAgent("e2e-agent", enroll.Token, _defaultAgentOutput["e2e-agent"], "linux", "first");
        StartAgent("e2e-agent-2", enroll.Token, _defaultAgentOutput["e2e-agent-2"], "linux", "second");
    }

    /// <summary>
    /// Starts an agent with 2 slots and <paramref name="labels"/>, which enrolls with
    /// <paramref name="enrollToken"/>; its output goes to <paramref name="output"/> when given. It is
    /// stopped with the farm.
    /// </summary>
    public Process StartAgent(string id, string enrollToken, List<string>? output, params string[] labels) =>
        StartAgentTrusting(Tls?.CaPath, id, enrollToken, output, labels);

    /// <summary>As <see cref="StartAgent"/>, verifying the controller against <paramref name="caCertificatePath"/> (null: the system's trust store).</summary>
    public Process StartAgentTrusting(string? caCertificatePath, string id, string enrollToken, List<string>? output, params string[] labels) =>
        StartAgentWith(new Dictionary<string, string>(), caCertificatePath, id, enrollToken, output, labels);

    /// <summary>An agent as <see cref="StartAgent"/> starts one, with <paramref name="overrides"/> over its environment (another DOCKER_HOST, WorkDir...).</summary>
    public Process StartAgentWith(
        IReadOnlyDictionary<string, string> overrides, string? caCertificatePath, string id, string enrollToken, List<string>? output, params string[] labels) =>
        StartAgentAs(null, overrides, caCertificatePath, id, enrollToken, output, labels);

    /// <summary>As <see cref="StartAgentWith"/>, as the system user <paramref name="user"/> when not null (through setpriv, with no groups).</summary>
    public Process StartAgentAs(
        string? user, IReadOnlyDictionary<string, string> overrides, string? caCertificatePath, string id, string enrollToken, List<string>? output, params string[] labels)
    {
        var environment = new Dictionary<string, string>
        {
            ["Farm__Agent__Controller"] = Address,
            ["Farm__Agent__AgentId"] = id,
            ["Farm__Agent__Slots"] = "2",
            ["Farm__Agent__WorkDir"] = AgentWorkDir(id),
            ["Farm__Agent__DefaultNetwork"] = "none",
            ["Farm__Agent__MaxReconnectDelay"] = "00:00:01",
            ["Farm__Agent__EnrollToken"] = enrollToken,
            // The tests' machine is theirs: its agents run shell actions and host-network deploys
            // (HostPolicyTests start agents without them).
            ["Farm__Agent__AllowShell"] = "true",
            ["Farm__Agent__AllowHostNetwork"] = "true",
        };
        if (caCertificatePath is not null)
        {
            environment["Farm__Agent__CaCertificatePath"] = caCertificatePath;
        }

        for (var i = 0; i < labels.Length; i++)
        {
            environment[$"Farm__Agent__Labels__{i}"] = labels[i];
        }

        foreach (var (name, value) in overrides)
        {
            environment[name] = value;
        }

        var process = Start(Locate("Agent", "farm-agent.dll"), environment, output, user);
        lock (_agents)
        {
            _agents.Add(process);
        }

        return process;
    }

    /// <summary>
    /// Kills an agent a test started and waits for it to exit, so it takes none of the later tests'
    /// work: an action without <c>runsOn</c> may go to any connected agent, one with a stopped engine too.
    /// </summary>
    public static async Task StopAgentAsync(Process agent)
    {
        if (!agent.HasExited)
        {
            agent.Kill(entireProcessTree: true);
        }

        await agent.WaitForExitAsync();
    }

    /// <summary>Enrolls <paramref name="agentId"/> through the API, as an agent does, and returns its credential.</summary>
    public async Task<string> EnrollAsync(string agentId)
    {
        var enroll = await Admin.CreateEnrollTokenAsync(new CreateEnrollTokenRequest { Uses = 1 });
        var enrolled = await new AgentSessions.AgentSessionsClient(With(enroll.Token)).EnrollAsync(new EnrollRequest { AgentId = agentId });
        return enrolled.Credential;
    }

    /// <summary>An agent's work folder, where it keeps its credential.</summary>
    public string AgentWorkDir(string id) => Path.Combine(Root, id);

    public async Task RestartControllerAsync()
    {
        _controller!.Kill(entireProcessTree: true);
        await _controller.WaitForExitAsync();
        _controller.Dispose();
        await StartControllerAsync();
    }

    /// <summary>The controller's process, for tests that signal it.</summary>
    public Process ControllerProcess => _controller ?? throw new InvalidOperationException("The controller has not been started.");

    /// <summary>
    /// Starts the dashboard, as a process of its own build output, against this farm's controller at
    /// <paramref name="url"/> (http://127.0.0.1:PORT), its data in the farm's folder; its output goes to
    /// <paramref name="output"/>. Returns once it answers, or throws with what it printed.
    /// </summary>
    public async Task<Process> StartDashboardAsync(string url, List<string> output)
    {
        var dashboard = Start(Locate("Dashboard", "farm-dashboard.dll"), new Dictionary<string, string>
        {
            ["Farm__Dashboard__Controller"] = Address,
            ["Farm__Dashboard__Listen"] = url.TrimEnd('/'),
            ["Farm__Dashboard__DataDir"] = Path.Combine(Root, "dashboard"),
        }, output);
        string Printed()
        {
            lock (output)
            {
                return string.Join("\n", output.TakeLast(60));
            }
        }

        using var http = new HttpClient();
        await Eventually.Until(async cancellation =>
        {
            if (dashboard.HasExited)
            {
                throw new InvalidOperationException($"The dashboard exited with {dashboard.ExitCode}:\n{Printed()}");
            }

            try
            {
                return (await http.GetAsync(url.TrimEnd('/') + "/signin", cancellation)).StatusCode == System.Net.HttpStatusCode.OK;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(60), () => "the dashboard does not answer:\n" + Printed());
        return dashboard;
    }

    /// <summary>The controller's output so far, for failure messages.</summary>
    public string ControllerOutput()
    {
        lock (_controllerOutput)
        {
            return string.Join("\n", _controllerOutput.TakeLast(80));
        }
    }

    /// <summary>The two default agents' output so far, for failure messages.</summary>
    public string AgentsOutput() => string.Join("\n", _defaultAgentOutput.Select(agent =>
    {
        lock (agent.Value)
        {
            return $"--- {agent.Key}:\n" + string.Join("\n", agent.Value.TakeLast(40));
        }
    }));

    private async Task StartControllerAsync()
    {
        var environment = new Dictionary<string, string>
        {
            ["Farm__Controller__DataDir"] = Path.Combine(Root, "data"),
            ["Farm__Controller__Listen"] = Address,
            ["Farm__Controller__SiloPort"] = _siloPort.ToString(),
            ["Farm__Controller__GatewayPort"] = _gatewayPort.ToString(),
            ["Farm__Controller__HeartbeatInterval"] = "00:00:01",
            ["Farm__Controller__StopGrace"] = "00:00:02",
            ["Farm__Controller__WebhookListen"] = WebhookAddress,
            ["Farm__Controller__NotifyUrl"] = Sink.Url + "notify",
            ["Farm__Controller__NotifySecret"] = NotificationSink.Secret,
        };
        if (Tls is not null)
        {
            environment["Farm__Controller__CertificatePath"] = Tls.CertificatePath;
            environment["Farm__Controller__CertificateKeyPath"] = Tls.KeyPath;
        }

        _controller = Start(Locate("Controller", "farm-controller.dll"), environment, _controllerOutput);

        await Eventually.Until(async cancellation =>
        {
            try
            {
                await new Api.V1.Pipelines.PipelinesClient(Channel).ListPipelinesAsync(new ListPipelinesRequest(), cancellationToken: cancellation);
                return true;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unauthenticated)
            {
                // Answering at all, even with a refusal (this channel sends no token), means it is up.
                return true;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable)
            {
                return _controller.HasExited
                    ? throw new InvalidOperationException($"The controller exited with {_controller.ExitCode}:\n{ControllerOutput()}")
                    : false;
            }
        }, StartTimeout, () => "the controller does not answer:\n" + ControllerOutput());
    }

    internal static Process Start(string dll, Dictionary<string, string> environment, List<string>? output, string? user = null)
    {
        var start = new ProcessStartInfo(user is null ? "dotnet" : "setpriv",
            user is null ? [dll] : ["--reuid", user, "--regid", "nogroup", "--clear-groups", "dotnet", dll])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start)!;
        void Keep(object _, DataReceivedEventArgs e)
        {
            if (output is not null && e.Data is not null)
            {
                lock (output)
                {
                    output.Add(e.Data);
                }
            }
        }

        process.OutputDataReceived += Keep;
        process.ErrorDataReceived += Keep;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>The checkout: the folder above the tests that holds Farm.sln.</summary>
    public static string RepoRoot
    {
        get
        {
            var root = new DirectoryInfo(AppContext.BaseDirectory);
            while (root is not null && !File.Exists(Path.Combine(root.FullName, "Farm.sln")))
            {
                root = root.Parent;
            }

            return root?.FullName ?? throw new InvalidOperationException("Farm.sln not found above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>A project's built assembly, of the same configuration as these tests.</summary>
    public static string Locate(string project, string dll)
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
        var path = Path.Combine(RepoRoot, "src", project, "bin", configuration, "net10.0", dll);
        return File.Exists(path) ? path : throw new FileNotFoundException($"Build the solution first: {path} is missing.");
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async Task DisposeAsync()
    {
        Process[] agents;
        lock (_agents)
        {
            agents = [.. _agents];
        }

        foreach (var process in agents.Append(_controller))
        {
            if (process is { HasExited: false })
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }

            process?.Dispose();
        }

        Channel?.Dispose();
        Sink?.Dispose();
        Tls?.Dispose();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // Container-owned files may linger a moment; the temp folder is the system's to clean.
        }
    }
}

[CollectionDefinition(Name)]
public sealed class FarmCollection : ICollectionFixture<FarmHost>
{
    public const string Name = "farm";
}
