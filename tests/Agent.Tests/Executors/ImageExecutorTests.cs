using System.Net.Sockets;
using System.Text;
using Docker.DotNet;
using Docker.DotNet.Models;
using Farm.Agent.Executors;
using Farm.Agent.Hosting;
using Farm.Agent.Logs;
using Farm.Api.V1;
using Farm.Tests.Shared;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Farm.Agent.Tests.Executors;

/// <summary>
/// Image builds, pushes, pulls and service deploys against the real engine and registry that
/// ./test.sh starts (DOCKER_HOST, FARM_TEST_REGISTRY). Services run on the host network and listen
/// on 127.0.0.1, so the test can call them as the health probe does.
/// </summary>
public sealed class ImageExecutorTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("farm-image-").FullName;
    private readonly DockerEngine _engine;
    private readonly string _service = "web" + Guid.NewGuid().ToString("N")[..8];

    public ImageExecutorTests()
    {
        _engine = new DockerEngine(Options.Create(new AgentOptions { DockerHost = DockerHost, WorkDir = _dir, DefaultNetwork = "none" }));
    }

    private static string BaseImage => Environment.GetEnvironmentVariable("FARM_TEST_IMAGE") is { Length: > 0 } image ? image : "farm/busybox:latest";

    private static string Registry => Environment.GetEnvironmentVariable("FARM_TEST_REGISTRY") is { Length: > 0 } registry
        ? registry
        : throw new InvalidOperationException("These tests need a registry: run ./test.sh, which starts docker-registry and sets FARM_TEST_REGISTRY.");

    private static string DockerHost => Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } host
        ? host
        : throw new InvalidOperationException("These tests need a Docker engine: run ./test.sh, which starts one and sets DOCKER_HOST.");

    [Fact]
    public async Task Build_tags_pushes_and_a_pull_always_gets_the_pushed_image_back()
    {
        var repository = $"{Registry}/farm-test/app{Guid.NewGuid().ToString("N")[..8]}";
        var workspace = WebApp("version one");
        var build = new ImageBuild { Context = ".", Dockerfile = "Dockerfile", Push = true, Tags = { repository + ":1", repository + ":latest" } };

        var (result, log) = await RunAsync(new ImageBuildExecutor(_engine), new ActionSpec { Type = "image-build", Build = build }, workspace);

        Assert.True(result.Succeeded, result.FailureMessage + "\n" + log);
        Assert.Contains(": COPY www /www\n", log);
        Assert.StartsWith("sha256:", result.Outputs!["imageId"]);
        Assert.Matches("^sha256:[0-9a-f]{64}$", result.Outputs["digest"]);
        Assert.NotEqual(result.Outputs["imageId"], result.Outputs["digest"]);
        Assert.Equal($"{repository}@{result.Outputs["digest"]}", result.Outputs["image"]);
        Assert.Equal($"{repository}:1,{repository}:latest", result.Outputs["tags"]);

        // Gone from the engine, the image comes back from the registry by its digest.
        await _engine.Client.Images.DeleteImageAsync(result.Outputs["imageId"], new ImageDeleteParameters { Force = true });
        var (pulled, pullLog) = await RunAsync(new ContainerExecutor(_engine, NullLogger<ContainerExecutor>.Instance),
            new ActionSpec { Type = "container", Image = result.Outputs["image"], Pull = "always", Network = "none", Commands = { "cat /www/index.html" } },
            Workspace());
        Assert.True(pulled.Succeeded, pulled.FailureMessage);
        Assert.Equal("version one\n", pullLog);
    }

    [Fact]
    public async Task Registry_that_demands_a_login_takes_the_actions_credentials_and_refuses_wrong_ones()
    {
        var registry = Environment.GetEnvironmentVariable("FARM_TEST_AUTH_REGISTRY") is { Length: > 0 } address
            ? address
            : throw new InvalidOperationException("This test needs the login registry that ./test.sh starts (FARM_TEST_AUTH_REGISTRY).");
        var login = new RegistryAuth
        {
            Username = Environment.GetEnvironmentVariable("FARM_TEST_AUTH_REGISTRY_USER")!,
            Password = Environment.GetEnvironmentVariable("FARM_TEST_AUTH_REGISTRY_PASSWORD")!,
        };
        var tag = $"{registry}/farm-test/private{Guid.NewGuid().ToString("N")[..8]}:1";
        ActionSpec Build(RegistryAuth auth) => new()
        {
            Type = "image-build",
            Registry = auth,
            Build = new ImageBuild { Context = ".", Dockerfile = "Dockerfile", Push = true, Tags = { tag } },
        };

        var (refused, _) = await RunAsync(new ImageBuildExecutor(_engine), Build(new RegistryAuth { Username = login.Username, Password = "wrong" }), WebApp("private"));
        var (pushed, log) = await RunAsync(new ImageBuildExecutor(_engine), Build(login), WebApp("private"));
        await _engine.Client.Images.DeleteImageAsync(tag, new ImageDeleteParameters { Force = true });
        var containers = new ContainerExecutor(_engine, NullLogger<ContainerExecutor>.Instance);
        var (anonymous, _) = await RunAsync(containers, new ActionSpec { Type = "container", Image = tag, Network = "none", Commands = { "true" } }, Workspace());
        var (pulled, pullLog) = await RunAsync(containers,
            new ActionSpec { Type = "container", Image = tag, Registry = login, Network = "none", Commands = { "cat /www/index.html" } }, Workspace());

        Assert.StartsWith($"pushing {tag} failed: ", refused.FailureMessage);
        Assert.Contains("authentication required", refused.FailureMessage);
        Assert.True(pushed.Succeeded, pushed.FailureMessage + "\n" + log);
        Assert.StartsWith($"image '{tag}' is not on the agent and could not be pulled: ", anonymous.FailureMessage);
        Assert.True(pulled.Succeeded, pulled.FailureMessage);
        Assert.Equal("private\n", pullLog);
    }

    [Fact]
    public async Task Failing_dockerfile_fails_the_action_with_the_builds_own_error_line()
    {
        var workspace = Workspace();
        File.WriteAllText(Path.Combine(workspace, "Dockerfile"), $"FROM {BaseImage}\nRUN echo building && exit 3\n");
        var build = new ImageBuild { Context = ".", Dockerfile = "Dockerfile", Tags = { "farm-test/broken:1" } };

        var (result, log) = await RunAsync(new ImageBuildExecutor(_engine), new ActionSpec { Type = "image-build", Build = build }, workspace);

        Assert.False(result.Succeeded);
        Assert.Equal("the image build failed: The command '/bin/sh -c echo building && exit 3' returned a non-zero code: 3", result.FailureMessage);
        Assert.Contains("building\n", log);
    }

    [Fact]
    public async Task Build_without_its_dockerfile_says_which_file_is_missing()
    {
        var build = new ImageBuild { Context = ".", Dockerfile = "build/Dockerfile", Tags = { "farm-test/none:1" } };

        var (result, _) = await RunAsync(new ImageBuildExecutor(_engine), new ActionSpec { Type = "image-build", Build = build }, Workspace());

        Assert.Equal("there is no Dockerfile 'build/Dockerfile' in the build context '.'", result.FailureMessage);
    }

    [Fact]
    public async Task Pull_policy_never_refuses_a_missing_image_and_a_failed_pull_gives_the_registrys_answer()
    {
        var missing = $"{Registry}/farm-test/missing:1";
        var containers = new ContainerExecutor(_engine, NullLogger<ContainerExecutor>.Instance);

        var (never, _) = await RunAsync(containers, new ActionSpec { Type = "container", Image = missing, Pull = "never", Commands = { "true" } }, Workspace());
        var (pulled, _) = await RunAsync(containers, new ActionSpec { Type = "container", Image = missing, Commands = { "true" } }, Workspace());

        Assert.Equal($"image '{missing}' is not on the agent, and the action's pull policy is 'never'", never.FailureMessage);
        Assert.StartsWith($"image '{missing}' is not on the agent and could not be pulled: ", pulled.FailureMessage);
        Assert.Contains("manifest unknown", pulled.FailureMessage);
    }

    [Fact]
    public async Task Healthy_deploy_replaces_the_running_version_and_removes_it()
    {
        var port = FreePort();
        var v1 = await BuildLocalAsync("version one");
        var v2 = await BuildLocalAsync("version two");

        var (first, _) = await DeployAsync(v1, port, $"http://127.0.0.1:{port}/");
        var (second, log) = await DeployAsync(v2, port, $"http://127.0.0.1:{port}/");

        Assert.True(first.Succeeded, first.FailureMessage);
        Assert.True(second.Succeeded, second.FailureMessage + "\n" + log);
        Assert.Equal("version two\n", await GetAsync(port));
        Assert.Equal(v1, second.Outputs!["previousImage"]);
        Assert.Contains("removed the previous version", log);
        var names = await ServiceContainersAsync();
        Assert.Equal([$"/farm-test-{_service}"], names);
    }

    [Fact]
    public async Task Deploy_whose_probe_fails_restores_the_previous_version_which_still_answers()
    {
        var port = FreePort();
        var v1 = await BuildLocalAsync("version one");
        var v2 = await BuildLocalAsync("version two");
        await DeployAsync(v1, port, $"http://127.0.0.1:{port}/");

        // 5 s: the new container must be up and answering (404) before the probe gives up, on a loaded machine too.
        var (result, log) = await DeployAsync(v2, port, $"http://127.0.0.1:{port}/health", timeoutMs: 5_000);

        Assert.False(result.Succeeded);
        Assert.StartsWith($"the new version did not become healthy: GET http://127.0.0.1:{port}/health answered 404 Not Found", result.FailureMessage);
        Assert.EndsWith($"the previous version ({v1}) was restored", result.FailureMessage);
        Assert.Contains("restored the previous version", log);
        await Eventually.Until(async _ => await TryGetAsync(port) == "version one\n", TimeSpan.FromSeconds(20),
            () => "the previous version not answering on its port");
        Assert.Equal([$"/farm-test-{_service}"], await ServiceContainersAsync());
    }

    [Fact]
    public async Task Deploy_of_an_image_that_does_not_exist_fails_before_touching_the_running_version()
    {
        var port = FreePort();
        var v1 = await BuildLocalAsync("version one");
        await DeployAsync(v1, port, $"http://127.0.0.1:{port}/");
        var before = await _engine.Client.Containers.InspectContainerAsync($"farm-test-{_service}");

        var (result, _) = await DeployAsync($"{Registry}/farm-test/nothing:1", port, $"http://127.0.0.1:{port}/");

        Assert.False(result.Succeeded);
        Assert.EndsWith("; the running version was not touched", result.FailureMessage);
        var after = await _engine.Client.Containers.InspectContainerAsync($"farm-test-{_service}");
        Assert.Equal((before.ID, before.State?.StartedAt), (after.ID, after.State?.StartedAt));
        Assert.Equal("version one\n", await GetAsync(port));
    }

    [Fact]
    public async Task Two_deploys_of_one_service_on_one_agent_run_one_after_the_other()
    {
        var port = FreePort();
        var v1 = await BuildLocalAsync("version one");
        var v2 = await BuildLocalAsync("version two");
        var executor = new DeployExecutor(_engine);

        var both = await Task.WhenAll(
            DeployAsync(v1, port, $"http://127.0.0.1:{port}/", executor: executor),
            DeployAsync(v2, port, $"http://127.0.0.1:{port}/", executor: executor));

        Assert.All(both, d => Assert.True(d.Result.Succeeded, d.Result.FailureMessage + "\n" + d.Log));
        Assert.Single(both, d => d.Log.StartsWith($"waiting: another deploy of test/{_service} runs on this agent", StringComparison.Ordinal));
        Assert.Equal([$"/farm-test-{_service}"], await ServiceContainersAsync());
    }

    private async Task<(ExecutorResult Result, string Log)> DeployAsync(
        string image, int port, string probe, int timeoutMs = 20_000, DeployExecutor? executor = null)
    {
        var deploy = new ServiceDeploy
        {
            Environment = "test",
            Service = _service,
            Restart = "no",
            HealthHttp = probe,
            HealthTimeoutMs = timeoutMs,
            HealthIntervalMs = 200,
        };
        var spec = new ActionSpec { Type = "container-deploy", Image = image, Network = "host", Deploy = deploy, Env = { ["PORT"] = port.ToString() } };
        return await RunAsync(executor ?? new DeployExecutor(_engine), spec, Workspace());
    }

    /// <summary>A workspace with a Dockerfile for busybox's httpd serving <paramref name="page"/> on 127.0.0.1:$PORT.</summary>
    private string WebApp(string page)
    {
        var workspace = Workspace();
        Directory.CreateDirectory(Path.Combine(workspace, "www"));
        File.WriteAllText(Path.Combine(workspace, "www", "index.html"), page + "\n");
        File.WriteAllText(Path.Combine(workspace, "Dockerfile"),
            $"FROM {BaseImage}\nCOPY www /www\nCMD [\"sh\", \"-c\", \"exec httpd -f -p 127.0.0.1:$PORT -h /www\"]\n");
        return workspace;
    }

    private async Task<string> BuildLocalAsync(string page)
    {
        var tag = $"farm-test/{_service}:{Guid.NewGuid():N}";
        var build = new ImageBuild { Context = ".", Dockerfile = "Dockerfile", Tags = { tag } };
        var (result, log) = await RunAsync(new ImageBuildExecutor(_engine), new ActionSpec { Type = "image-build", Build = build }, WebApp(page));
        Assert.True(result.Succeeded, result.FailureMessage + "\n" + log);
        return tag;
    }

    private async Task<(ExecutorResult Result, string Log)> RunAsync(IActionExecutor executor, ActionSpec spec, string workspace)
    {
        var logPath = Path.Combine(_dir, $"log-{Guid.NewGuid():N}");
        var offer = new JobOffer { AttemptId = "p-1.1", ExecutionId = "p-1", Pipeline = "p", Spec = spec };
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        ExecutorResult result;
        await using (var spool = new LogSpool(logPath))
        {
            result = await executor.RunAsync(new AttemptContext(offer, workspace, new Dictionary<string, string>(), spool, _dir), timeout.Token);
        }

        return (result, Encoding.UTF8.GetString(await File.ReadAllBytesAsync(logPath)));
    }

    private string Workspace() => Directory.CreateDirectory(Path.Combine(_dir, "ws-" + Guid.NewGuid().ToString("N"))).FullName;

    private async Task<string[]> ServiceContainersAsync() => (await _engine.Client.Containers.ListContainersAsync(new ContainersListParameters
    {
        All = true,
        Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"farm.service={_service}"] = true } },
    })).SelectMany(c => c.Names ?? []).Order().ToArray();

    private static async Task<string> GetAsync(int port)
    {
        using var client = new HttpClient();
        return await client.GetStringAsync($"http://127.0.0.1:{port}/");
    }

    private static async Task<string?> TryGetAsync(int port)
    {
        try
        {
            return await GetAsync(port);
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        foreach (var name in ServiceContainersAsync().GetAwaiter().GetResult())
        {
            _engine.Client.Containers.RemoveContainerAsync(name.TrimStart('/'), new ContainerRemoveParameters { Force = true }).GetAwaiter().GetResult();
        }

        _engine.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
